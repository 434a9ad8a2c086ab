/*
 * main.c - the homeward command: hands argv to the command table in cli/.
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
