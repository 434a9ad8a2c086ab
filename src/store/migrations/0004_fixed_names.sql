-- 0004_fixed_names.sql - a user's username and an organisation's uuid never
-- change, and neither is deleted (records keep naming who made them). The
-- server remembers these names by id (store/record.c) instead of joining
-- two tables into every read; here the database itself keeps the promise.
CREATE TRIGGER users_username_fixed BEFORE UPDATE OF username, id ON users
BEGIN
    SELECT RAISE(ABORT, 'a username does not change');
END;
CREATE TRIGGER users_kept BEFORE DELETE ON users
BEGIN
    SELECT RAISE(ABORT, 'users are disabled, never deleted');
END;
CREATE TRIGGER organisations_uuid_fixed BEFORE UPDATE OF uuid, id ON organisations
BEGIN
    SELECT RAISE(ABORT, 'an organisation''s uuid does not change');
END;
CREATE TRIGGER organisations_kept BEFORE DELETE ON organisations
BEGIN
    SELECT RAISE(ABORT, 'organisations are never deleted');
END;
