/* test_store_hive.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
