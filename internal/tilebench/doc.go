// Package tilebench measures Atlas's tile serving against the way generic
// PostGIS tile servers (pg_tileserv, Martin) answer a tile: one
// ST_AsMVT(ST_AsMVTGeom(...)) query over the full-resolution geometry per
// request.
//
// The input is fixed: every tile of a bounding box (metropolitan France by
// default) at a zoom range, for a set of layers. Both servers are measured in
// the same run, one after the other, over loopback HTTP:
//
//   - a cold pass: each tile once, sequentially, against a freshly started
//     `atlas serve` (empty cache) and the baseline;
//   - a warm run: a fixed duration of random tiles from the list (seeded) at
//     a fixed concurrency, bounded in requests too;
//   - the bytes of every tile (uncompressed, and gzip for ours);
//   - the peak resident memory (VmHWM) of the atlas server process.
//
// The pure parts (tile list, percentiles, targets, report formatting) are
// separate small functions; [RunTiles] wires them to the two servers.
package tilebench
