-- 0003_pairs.sql - duplicate pairs get a public UUID (ids in URLs are UUIDs)
-- and remember the probability band they were proposed in.
ALTER TABLE person_pairs ADD COLUMN uuid TEXT;
UPDATE person_pairs SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
    substr(hex(randomblob(2)), 2) || '-8' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX person_pairs_uuid ON person_pairs(uuid);
CREATE INDEX person_pairs_status ON person_pairs(status, probability);
CREATE INDEX person_pairs_right ON person_pairs(right_id);
