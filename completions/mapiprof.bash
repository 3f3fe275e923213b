# bash completion for mapiprof(1).
#
# The candidates come from the mapiprof being completed ("mapiprof complete
# INDEX WORD ...", a hidden command that reads its own command table), so
# they always match what that mapiprof takes: commands, options, option
# values, recipe names and the profile names of the FILEs on the line.

_mapiprof()
{
	local prog=${COMP_WORDS[0]} cword=$COMP_CWORD i w
	local -a words=()
	COMPREPLY=()
	# bash splits "--format=csv" at "=": join it back to "--format csv".
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == "=" && ${words[${#words[@]}-1]} == --* ]]; then
			((i < COMP_CWORD)) && ((cword--))
			continue
		fi
		words+=("$w")
	done
	local cur=${words[cword]}
	# A typed quote or backslash is not part of the word mapiprof matches.
	cur=${cur#[\"\']}
	cur=${cur//\\/}
	words[cword]=$cur
	if ! type -P -- "$prog" >/dev/null 2>&1; then
		prog=mapiprof
	fi
	local out
	out=$("$prog" complete "$cword" "${words[@]}" 2>/dev/null) || return 0
	local directive=${out%%$'\n'*} line
	local -a lines=()
	[[ $out == *$'\n'* ]] && mapfile -t lines <<<"${out#*$'\n'}"
	for line in "${lines[@]}"; do
		line=${line%%$'\t'*}
		[[ -n $line ]] && COMPREPLY+=("$(printf '%q' "$line")")
	done
	case $directive in
	files)
		compopt -o filenames 2>/dev/null
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
		;;
	dirs)
		compopt -o filenames 2>/dev/null
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
		;;
	esac
	return 0
}

complete -F _mapiprof mapiprof
