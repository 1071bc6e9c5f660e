using System.Text;

namespace Assessments.Web.Features.Git;

/// <summary>The hooks every built-in repository runs. The pre-receive hook, run (through <c>core.hooksPath</c>, so
/// no repository holds a copy a push could change). git runs it after the pack arrived and before
/// any ref moves; what it prints reaches the candidate's terminal as <c>remote: …</c>, and a
/// non-zero exit refuses the whole push. The web app passes the assessment's policy in the
/// environment; the hook judges the clock at the moment of the push. The post-receive hook, run
/// once refs moved, writes what moved to the file the web app named, which is how it learns
/// exactly which commit an accepted push brought (git http-backend exits 0 on a refused push too).</summary>
public static class GitHooks
{
    /// <summary>The hook's text. Environment: <c>ASSESSMENTS_REFUSE</c> (a reason to refuse every
    /// push), <c>ASSESSMENTS_CLOSES_AT</c> (Unix seconds) and its readable form, the branch that
    /// counts, whether other branches and force pushes are allowed, and the size limit in KiB.</summary>
    public const string PreReceive = """
        #!/bin/sh
        # Written by Assessments: the push policy of built-in repositories. Do not edit; it is rewritten on start.
        set -u
        refuse() { echo "Assessments: $*" >&2; exit 1; }

        [ -z "${ASSESSMENTS_REFUSE:-}" ] || refuse "$ASSESSMENTS_REFUSE"
        if [ -n "${ASSESSMENTS_CLOSES_AT:-}" ] && [ "$(date +%s)" -ge "$ASSESSMENTS_CLOSES_AT" ]; then
          refuse "the deadline ($ASSESSMENTS_CLOSES_AT_TEXT) has passed; this push was not accepted."
        fi

        # The all-zero id of this repository's hash (40 or 64 digits): a ref created or deleted.
        zero=$(git hash-object --stdin </dev/null | tr '0-9a-f' '0')
        while read -r old new ref; do
          if [ "$ref" = "refs/heads/$ASSESSMENTS_BRANCH" ]; then
            [ "$new" != "$zero" ] || refuse "$ASSESSMENTS_BRANCH cannot be deleted."
            if [ "$old" != "$zero" ] && [ "$ASSESSMENTS_FORCE_PUSH" != allow ] && ! git merge-base --is-ancestor "$old" "$new"; then
              refuse "$ASSESSMENTS_BRANCH cannot be rewritten (this was a force push). Fetch, merge or rebase onto it, and push again."
            fi
          else
            case "$ref" in
              refs/heads/*) [ "$ASSESSMENTS_OTHER_BRANCHES" = allow ] || refuse "only $ASSESSMENTS_BRANCH counts; ${ref#refs/heads/} was refused. Push your work to $ASSESSMENTS_BRANCH." ;;
              *) refuse "$ref was refused: only branches can be pushed." ;;
            esac
          fi
        done

        # The pushed objects wait in a quarantine folder under objects/ until this hook says yes.
        size=$(du -sk objects | cut -f1)
        [ "$size" -le "$ASSESSMENTS_MAX_REPOSITORY_KB" ] || refuse "the repository would take ${size} KiB, over its limit of ${ASSESSMENTS_MAX_REPOSITORY_KB} KiB."
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
