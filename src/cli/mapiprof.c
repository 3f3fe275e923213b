/* mapiprof.c - the program's entry point: the command line (main.c) and
 * its status, the only exit. */
#include "cli.h"

int
main(int argc, char *argv[])
{
	return cli_main(argc, argv);
}
