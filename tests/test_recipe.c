/* test_recipe.c - placeholder until its owner lands it. */
#include <criterion/criterion.h>
