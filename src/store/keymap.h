/*
 * keymap.h - the row a record UUID was last found in: a hint for reads.
 *
 * A GET names a record by its UUID, and SQLite finds the row through the
 * table's UUID index. Readers note here the rowid they found, and the next
 * read of that UUID asks for the row by rowid, checking that it still holds
 * that UUID; when it does not, the read looks the UUID up as before. A hint
 * that is wrong (a row deleted, a rowid used again, a row not yet in the
 * reader's snapshot) costs one more lookup, never a wrong answer.
 *
 * One map for the process, safe from any thread. UUIDs are random across
 * every table, so the map does not say which table a hint is for: the check
 * of the UUID in the row covers that too.
 */
#ifndef HW_KEYMAP_H
#define HW_KEYMAP_H

/* The rowid noted for uuid (36 characters), or 0 when there is none. */
long long keymap_get(const char *uuid);
/* Notes rowid (> 0) for uuid. Past KEYMAP_MAX UUIDs nothing more is noted. */
void keymap_put(const char *uuid, long long rowid);
/* Forgets every hint and frees the map (tests; the end of a server). */
void keymap_clear(void);

#define KEYMAP_MAX (1 << 20) /* UUIDs noted at most: 48 MiB of map at most (24 bytes a slot, half full) */

#endif
