/*
 * replay.c - runs a fuzz target over every file of its corpus without
 * libFuzzer (after libgit2's standalone driver): the corpus becomes a
 * regression test, counted as one test. A failing input aborts.
 *
 * usage: test_fuzz_NAME [CORPUS_DIR]   (default: the directory built in)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : CORPUS;
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d) {
        fprintf(stderr, "replay: cannot open corpus %s\n", dir);
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        FILE *f;
        uint8_t *buf;
        long len;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        len = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = malloc((size_t)len + 1);
        if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
            fclose(f);
            free(buf);
            fprintf(stderr, "replay: cannot read %s\n", path);
            closedir(d);
            return 1;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, (size_t)len);
        free(buf);
        n++;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "replay: the corpus %s is empty\n", dir);
        return 1;
    }
    /* One test per target, however many inputs its corpus holds. */
    printf("[==========] %d corpus file(s) replayed from %s.\n[  PASSED  ] 1 test(s).\n", n, dir);
    return 0;
}
