/*
 * sqlmem.c - SQLite's memory, kept per thread for reuse.
 *
 * Debian builds SQLite without its lookaside allocator (SQLITE_OMIT_LOOKASIDE),
 * so every value a query copies out of a page, every cursor and every
 * register buffer is a malloc() and a free(): about fifty of each for one
 * GET of a person, most of them past glibc's per-thread cache (seven blocks
 * a size), so each one takes its arena's lock. This allocator, handed to
 * SQLite with SQLITE_CONFIG_MALLOC, keeps the small blocks a thread frees on
 * a list of that thread's, by size class, and gives them out again; what
 * does not fit (large blocks, or past KEEP_BYTES kept) goes to the C
 * library as before. A thread's lists are freed when the thread ends.
 *
 * Sanitizer builds leave SQLite on the C library: a block reused here would
 * hide a read of SQLite's memory after it was freed (a column's text read
 * after sqlite3_reset, say) from AddressSanitizer.
 */
#include "store/sqlmem.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define SQLMEM_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SQLMEM_OFF 1
#endif
#endif

#ifndef SQLMEM_OFF

#define GRAIN 16           /* sizes are rounded up to this */
#define CLASSES 64         /* classes of GRAIN .. CLASSES * GRAIN bytes (1024) */
#define KEEP_BYTES (128 * 1024) /* what a thread keeps at most */
#define HEADER 8           /* before each block: its usable size */

/* A free block on a thread's list; its first bytes hold the link. */
typedef struct block {
    struct block *next;
} block_t;

/* One thread's free blocks. */
typedef struct lists {
    block_t *head[CLASSES]; /* by class: blocks of (class + 1) * GRAIN bytes */
    size_t   bytes;         /* kept in all classes */
    int      registered;    /* the thread-end destructor knows these lists */
} lists_t;

static _Thread_local lists_t mine;
static pthread_key_t ending;   /* its destructor frees a thread's lists */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int active;             /* SQLite took these functions */

/* The usable size stored before p. */
static uint64_t size_of(void *p)
{
    uint64_t n;

    memcpy(&n, (char *)p - HEADER, sizeof n);
    return n;
}

static void lists_free(void *arg)
{
    lists_t *l = arg;

    for (int c = 0; c < CLASSES; c++) {
        while (l->head[c]) {
            block_t *b = l->head[c];
            l->head[c] = b->next;
            free((char *)b - HEADER);
        }
    }
    l->bytes = 0;
    l->registered = 0;
}

static void make_key(void)
{
    (void)pthread_key_create(&ending, lists_free);
}

/* A block of at least n usable bytes from the C library, its size recorded. */
static void *fresh(uint64_t n)
{
    char *p = malloc(HEADER + n);

    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    return p + HEADER;
}

static void *mem_malloc(int n)
{
    uint64_t size = n <= 0 ? GRAIN : ((uint64_t)n + GRAIN - 1) / GRAIN * GRAIN;

    if (size <= CLASSES * GRAIN) {
        int c = (int)(size / GRAIN) - 1;
        block_t *b = mine.head[c];
        if (b) {
            mine.head[c] = b->next;
            mine.bytes -= size;
            return b;
        }
    }
    return fresh(size);
}

static void mem_free(void *p)
{
    uint64_t size;

    if (!p)
        return;
    size = size_of(p);
    if (size <= CLASSES * GRAIN) {
        int c = (int)(size / GRAIN) - 1;
        if (mine.bytes + size <= KEEP_BYTES) {
            if (!mine.registered) {
                /* The first block kept: have the lists freed when the thread ends. */
                pthread_once(&once, make_key);
                if (pthread_setspecific(ending, &mine) != 0)
                    goto to_libc;
                mine.registered = 1;
            }
            ((block_t *)p)->next = mine.head[c];
            mine.head[c] = p;
            mine.bytes += size;
            return;
        }
    }
to_libc:
    free((char *)p - HEADER);
}

static int mem_size(void *p)
{
    return p ? (int)size_of(p) : 0;
}

static void *mem_realloc(void *p, int n)
{
    void *q;
    int have;

    if (!p)
        return mem_malloc(n);
    have = mem_size(p);
    if (n <= have && n > have / 2)
        return p;
    q = mem_malloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, (size_t)(have < n ? have : n));
    mem_free(p);
    return q;
}

static int mem_roundup(int n)
{
    return n <= 0 ? GRAIN : (n + GRAIN - 1) / GRAIN * GRAIN;
}

static int mem_init(void *unused)
{
    (void)unused;
    return SQLITE_OK;
}

static void mem_shutdown(void *unused)
{
    (void)unused;
}

int db_memory_setup(void)
{
    static const sqlite3_mem_methods methods = {
        mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
    };

    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK)
        return -1;
    active = 1;
    return 0;
}

int db_memory_active(void)
{
    return active;
}

void db_memory_thread_end(void)
{
    lists_free(&mine);
}

#else /* sanitizers: SQLite keeps the C library's allocator */

int db_memory_setup(void)
{
    return 0;
}

int db_memory_active(void)
{
    return 0;
}

void db_memory_thread_end(void)
{
}

#endif
