# SPARK_OPTS and friends come from kernel.json and still contain ${NAME} references (e.g.
# ${KERNEL_ID}) to fill in from the environment, but jupyter_client has already pasted client-chosen
# values into them, so the text must never reach eval.  split_words re-implements the small part
# of shell parsing needed here, in bash so that no other interpreter is required and nothing is
# ever executed: whitespace separates words; '...', "..." and backslash quote as in the shell;
# $NAME and ${NAME} expand from the environment (unquoted results are split at whitespace, their
# quotes are not interpreted, no globbing).  $(...), backticks, ;, |, & and any other ${...} form
# are ordinary characters.  The words are left in the array WORDS.
split_words() {
    local __text=$1 __len=${#1} __i=0 __c __word="" __have=0 __quote="" __rest __name __value __j
    WORDS=()
    while (( __i < __len )); do
        __c=${__text:__i:1}
        (( __i++ ))
        if [[ $__quote == "'" ]]; then
            if [[ $__c == "'" ]]; then __quote=""; else __word+=$__c; fi
            continue
        fi
        if [[ $__c == '\' ]]; then
            __c=${__text:__i:1}
            if [[ -z $__quote || $__c == [\$\`\"\\] || $__c == $'\n' ]] && (( __i < __len )); then
                (( __i++ ))
                [[ $__c == $'\n' ]] || __word+=$__c
            else
                __word+='\'
            fi
            __have=1
            continue
        fi
        if [[ $__c == '$' ]]; then
            __rest=${__text:__i}
            if [[ $__rest =~ ^\{([A-Za-z_][A-Za-z0-9_]*)\} || $__rest =~ ^([A-Za-z_][A-Za-z0-9_]*) ]]; then
                (( __i += ${#BASH_REMATCH[0]} ))
                __name=${BASH_REMATCH[1]}
                __value=${!__name}  # safe: __name is a plain identifier
                if [[ -n $__quote ]]; then
                    __word+=$__value
                else
                    for (( __j = 0; __j < ${#__value}; __j++ )); do
                        __c=${__value:__j:1}
                        if [[ $__c == [$' \t\n'] ]]; then
                            (( __have )) && WORDS+=("$__word")
                            __word="" __have=0
                        else
                            __word+=$__c __have=1
                        fi
                    done
                fi
                continue
            fi
        fi
        if [[ $__quote == '"' ]]; then
            if [[ $__c == '"' ]]; then __quote=""; else __word+=$__c; fi
        elif [[ $__c == [\"\'] ]]; then
            __quote=$__c __have=1
        elif [[ $__c == [$' \t\n'] ]]; then
            (( __have )) && WORDS+=("$__word")
            __word="" __have=0
        else
            __word+=$__c __have=1
        fi
    done
    [[ -z $__quote ]] || return 1
    (( __have )) && WORDS+=("$__word")
    return 0
}

# words_of NAME: split the variable NAME into the array WORDS, or stop the launch.
words_of() {
    if ! split_words "${!1}"; then
        echo "$1 has an unterminated quote: ${!1}" >&2
        exit 1
    fi
}

if [ "${GP_IMPERSONATION_ENABLED}" = "True" ]; then
    USER_CLAUSE="as user ${KERNEL_USERNAME:-UNSPECIFIED}"
else
    USER_CLAUSE="on behalf of user ${KERNEL_USERNAME:-UNSPECIFIED}"
fi
print_banner() {
    printf '\n%s %s\n\n' "Starting $1 for Spark in Kubernetes mode" "${USER_CLAUSE}"
}

check_environment() {
    if [ -z "${SPARK_HOME}" ]; then
        echo "SPARK_HOME must be set to the location of a Spark distribution!"
        exit 1
    fi
    if [ -z "${KERNEL_ID}" ]; then
        echo "KERNEL_ID must be set for discovery and lifecycle management!"
        exit 1
    fi
    KERNEL_LAUNCHERS_DIR=${KERNEL_LAUNCHERS_DIR:-/usr/local/bin/kernel-launchers}
}
