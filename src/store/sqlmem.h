/*
 * sqlmem.h - SQLite's memory allocator: small blocks reused per thread.
 */
#ifndef HW_STORE_SQLMEM_H
#define HW_STORE_SQLMEM_H

/* Hands SQLite the allocator of sqlmem.c (a no-op in sanitizer builds).
 * Must come before SQLite is first used. 0, or -1 when SQLite refused it. */
int db_memory_setup(void);

/* 1 when SQLite uses this allocator (not in sanitizer builds). */
int db_memory_active(void);

/* Gives the calling thread's kept blocks back to the C library (threads
 * that end do this by themselves). */
void db_memory_thread_end(void);

#endif

