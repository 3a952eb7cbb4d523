-- Reports by normalised kecamatan code, desa and name (storage.NormalizeName): possible
-- duplicates of a report without NIK. NormalizeName is Go code, so the column is written by
-- the store with the report; rows written before it existed are NULL until Open fills them.
ALTER TABLE reports ADD COLUMN name_desa text;
CREATE INDEX reports_name_desa ON reports (name_desa) WHERE name_desa <> '';
-- What Open still has to fill, found without reading the whole table at every start.
CREATE INDEX reports_name_desa_unset ON reports (id) WHERE name_desa IS NULL;
