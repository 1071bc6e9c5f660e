using System.Text;

namespace Assessments.Web.Features.Git;

/// <summary>The hooks every built-in repository runs (through <c>core.hooksPath</c>, so no
/// repository holds a copy a push could change). git runs the pre-receive hook after the pack
/// arrived and before any ref moves; what it prints reaches the candidate's terminal as
/// <c>remote: …</c>, and a non-zero exit refuses the whole push. It holds no rule of its own: the
/// web app passes <see cref="PushPolicy.HookEnvironment"/>, the policy's answer for each kind of
/// ref update, and the hook tells the kinds apart (which takes git), reads the clock at the moment
/// of the push and measures the repository. The post-receive hook, run once refs moved, writes
/// what moved to the file the web app named, which is how it learns exactly which commit an
/// accepted push brought (git http-backend exits 0 on a refused push too).</summary>
public static class GitHooks
{
    /// <summary>The hook's text. Environment (<see cref="PushPolicy.HookEnvironment"/>):
    /// <c>ASSESSMENTS_REFUSE</c> (a reason to refuse every push), <c>ASSESSMENTS_CLOSES_AT</c>
    /// (Unix seconds) and <c>ASSESSMENTS_LATE</c> (what to say after it), the branch that counts,
    /// and for each kind of update the refusal to print (a <c>printf</c> format taking the ref's
    /// name; empty where that kind is allowed), and the size limit in KiB.</summary>
    public const string PreReceive = """
        #!/bin/sh
        # Written by Assessments: applies the push policy of built-in repositories (PushPolicy), whose
        # answers arrive in the environment. Do not edit; it is rewritten on start.
        set -u
        refuse() { echo "Assessments: $*" >&2; exit 1; }
        # $1: the policy's refusal for this kind of update (empty: allowed); $2: the ref it names.
        refuse_if() { [ -z "$1" ] || refuse "$(printf "$1" "$2")"; }

        [ -z "${ASSESSMENTS_REFUSE:-}" ] || refuse "$ASSESSMENTS_REFUSE"
        if [ -n "${ASSESSMENTS_CLOSES_AT:-}" ] && [ "$(date +%s)" -ge "$ASSESSMENTS_CLOSES_AT" ]; then
          refuse "$ASSESSMENTS_LATE"
        fi

        # The all-zero id of this repository's hash (40 or 64 digits): a ref created or deleted.
        zero=$(git hash-object --stdin </dev/null | tr '0-9a-f' '0')
        while read -r old new ref; do
          if [ "$ref" = "refs/heads/$ASSESSMENTS_BRANCH" ]; then
            if [ "$new" = "$zero" ]; then
              refuse_if "$ASSESSMENTS_ON_DELETE" "$ref"
            elif [ -n "$ASSESSMENTS_ON_REWRITE" ] && [ "$old" != "$zero" ] && ! git merge-base --is-ancestor "$old" "$new"; then
              refuse_if "$ASSESSMENTS_ON_REWRITE" "$ref"
            fi
          else
            case "$ref" in
              refs/heads/*) refuse_if "$ASSESSMENTS_ON_OTHER_BRANCH" "${ref#refs/heads/}" ;;
              *) refuse_if "$ASSESSMENTS_ON_NOT_A_BRANCH" "$ref" ;;
            esac
          fi
        done

        # The pushed objects wait in a quarantine folder under objects/ until this hook says yes.
        size=$(du -sk objects | cut -f1)
        [ "$size" -le "$ASSESSMENTS_MAX_REPOSITORY_KB" ] || refuse_if "$ASSESSMENTS_ON_TOO_BIG" "$size"
        exit 0

        """;

    /// <summary>The post-receive hook: the moved refs (<c>old new ref</c> lines) into <c>ASSESSMENTS_PUSH_RECORD</c>.</summary>
    public const string PostReceive = """
        #!/bin/sh
        # Written by Assessments: tells the web app which refs this push moved. Do not edit; it is rewritten on start.
        [ -n "${ASSESSMENTS_PUSH_RECORD:-}" ] || exit 0
        cat > "$ASSESSMENTS_PUSH_RECORD"

        """;

    /// <summary>Writes both hooks into <paramref name="folder"/>.</summary>
    public static void Install(string folder)
    {
        Install(folder, "pre-receive", PreReceive);
        Install(folder, "post-receive", PostReceive);
    }

    /// <summary>Writes a hook unless it is there already, as a whole file (written aside, then
    /// renamed), so a push never runs half a hook.</summary>
    private static void Install(string folder, string name, string script)
    {
        var path = Path.Combine(folder, name);
        var content = Encoding.UTF8.GetBytes(script.ReplaceLineEndings("\n"));
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(content))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var aside = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        File.WriteAllBytes(aside, content);
        File.SetUnixFileMode(aside, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.Move(aside, path, overwrite: true);
    }
}
