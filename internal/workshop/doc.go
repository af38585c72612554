// Package workshop runs the live workshops ("ateliers") of a diagnostic: a
// facilitator drives the map, participants follow it on their screens,
// point at territories, and (next) contribute and vote.
//
// PostGIS is the record. Every change is an event appended to the
// workshop's log in one transaction with the state it builds (Service),
// committed before anyone sees it; the commit's NOTIFY carries only a
// pointer ("workshop:seq"), and every server's Hub reads the new rows and
// fans them out, in order, to its subscribers (the SSE streams). A
// subscriber resumes from any seq: from the Hub's ring of recent events,
// else from the store, superseded views coalesced to the latest. So a
// dropped connection, a restart or a second server loses nothing.
//
// Authorisation is the facilitator's token or a participant's (package
// auth: random, stored as hashes, compared in constant time); only the
// facilitator drives. The package knows no HTTP: its errors are typed
// (*Error, with a Kind the surface turns into a status).
package workshop
