/* logmaker.c - placeholder, being written (logmaker.h). */
#include "logmaker.h"

/* Keeps the translation unit non-empty until the builder lands. */
int mp_test_logmaker_placeholder;
