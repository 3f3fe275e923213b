# fish completion for mapiprof(1).
#
# The candidates come from the mapiprof being completed ("mapiprof complete
# INDEX WORD ...", a hidden command that reads its own command table), so
# they always match what that mapiprof takes: commands, options, option
# values, recipe names and the profile names of the FILEs on the line.

function __mapiprof_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l prog $tokens[1]
    command -q $prog; or test -x "$prog"; or set prog mapiprof
    set -l out ($prog complete (count $tokens) $tokens $cur 2>/dev/null)
    or return
    test (count $out) -gt 0; or return
    if test (count $out) -gt 1
        printf '%s\n' $out[2..-1]
    end
    switch $out[1]
        case files
            __fish_complete_path $cur
        case dirs
            __fish_complete_directories $cur
    end
end

complete -c mapiprof -f -a '(__mapiprof_complete)'
