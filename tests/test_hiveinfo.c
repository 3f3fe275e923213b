/* test_hiveinfo.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
