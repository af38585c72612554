-- Territories: one row per (level, code), replaced atomically per level by
-- an import; the geometry as imported (WGS84) and per-zoom generalisations.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE territory_dataset (
    id            bigserial PRIMARY KEY,
    level         text        NOT NULL,
    files         text[]      NOT NULL,
    sha256        text        NOT NULL,
    options       jsonb       NOT NULL,
    vintage       text        NOT NULL DEFAULT '',
    attribution   text        NOT NULL DEFAULT '',
    feature_count integer     NOT NULL,
    repaired      jsonb       NOT NULL DEFAULT '[]',
    imported_at   timestamptz NOT NULL DEFAULT now(),
    active        boolean     NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX territory_dataset_active ON territory_dataset (level) WHERE active;

CREATE TABLE territory (
    level       text    NOT NULL,
    code        text    NOT NULL,
    name        text    NOT NULL,
    fid         bigint  NOT NULL,
    region      text,
    departement text,
    zone_emploi text,
    dataset_id  bigint  NOT NULL REFERENCES territory_dataset (id),
    geom        geometry(MultiPolygon, 4326) NOT NULL,
    PRIMARY KEY (level, code)
);
CREATE INDEX territory_geom ON territory USING gist (geom);
CREATE INDEX territory_region ON territory (level, region);
CREATE INDEX territory_departement ON territory (level, departement);
CREATE INDEX territory_zone_emploi ON territory (level, zone_emploi);

CREATE TABLE territory_generalised (
    level text     NOT NULL,
    code  text     NOT NULL,
    zoom  smallint NOT NULL,
    geom  geometry(MultiPolygon, 3857) NOT NULL,
    PRIMARY KEY (level, zoom, code),
    FOREIGN KEY (level, code) REFERENCES territory (level, code) ON DELETE CASCADE
);
