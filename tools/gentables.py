import sys
open(sys.argv[3], "w").write("typedef int mp_placeholder_tables_gen;\n")
