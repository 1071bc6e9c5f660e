using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Assessments.Web.Features.Git;

/// <summary>Runs git's own smart HTTP server, <c>git http-backend</c>, as a CGI program for one
/// request: the request body streams to its stdin while its stdout streams back, CGI headers first.
/// Nothing of this process's environment reaches it (the database's connection string least of
/// all) beyond what git needs and what the caller passes.</summary>
public static class GitHttpBackend
{
    private const string Program = "/usr/lib/git-core/git-http-backend";

    /// <summary>Serves <paramref name="pathInfo"/> (<c>/assessment.git/info/refs</c>) below
    /// <paramref name="projectRoot"/>; a failure of git is logged (a refused push is not one: git
    /// reports it inside the protocol).</summary>
    /// <param name="environment">More variables: the remote user, the push policy, git configuration.</param>
    public static async Task ServeAsync(HttpContext context, string projectRoot, string pathInfo, IReadOnlyDictionary<string, string> environment, ILogger logger, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var info = new ProcessStartInfo(Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        info.Environment["GIT_PROJECT_ROOT"] = projectRoot;
        info.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        info.Environment["PATH_INFO"] = pathInfo;
        info.Environment["REQUEST_METHOD"] = request.Method;
        info.Environment["QUERY_STRING"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        info.Environment["CONTENT_TYPE"] = request.ContentType ?? "";
        if (request.ContentLength is { } length)
        {
            info.Environment["CONTENT_LENGTH"] = length.ToString(CultureInfo.InvariantCulture);
        }

        // A gzip'd request body, and protocol v2, are announced in headers git reads from these.
        if (request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding)
        {
            info.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        }

        if (request.Headers["Git-Protocol"].ToString() is { Length: > 0 } protocol)
        {
            info.Environment["GIT_PROTOCOL"] = protocol;
        }

        info.Environment["REMOTE_ADDR"] = context.Connection.RemoteIpAddress?.ToString() ?? "";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var git = Process.Start(info) ?? throw new InvalidOperationException($"{Program} did not start.");
        var stderr = git.StandardError.ReadToEndAsync(CancellationToken.None);
        var stdin = FeedAsync(request.Body, git.StandardInput.BaseStream, cancellationToken);
        try
        {
            await RespondAsync(git.StandardOutput.BaseStream, context.Response, cancellationToken);
            await stdin;
            await git.WaitForExitAsync(cancellationToken);
        }
        catch (Exception) when (!git.HasExited)
        {
            // The client went away or the request was cancelled: git must not outlive the request.
            git.Kill(entireProcessTree: true);
            throw;
        }

        var errors = await stderr;
        if (git.ExitCode != 0 || errors.Length > 0)
        {
            logger.LogInformation("git http-backend {Method} {PathInfo} exited {ExitCode}: {Errors}", request.Method, pathInfo, git.ExitCode, errors.Trim());
        }
    }

    private static async Task FeedAsync(Stream body, Stream stdin, CancellationToken cancellationToken)
    {
        try
        {
            await body.CopyToAsync(stdin, cancellationToken);
        }
        catch (IOException)
        {
            // git stopped reading (it refused the request); its answer says why.
        }
        finally
        {
            await stdin.DisposeAsync();
        }
    }

    /// <summary>Copies the CGI answer: header lines up to a blank line (<c>Status:</c> becomes the
    /// status code), then the body as it comes.</summary>
    private static async Task RespondAsync(Stream stdout, HttpResponse response, CancellationToken cancellationToken)
    {
        var headers = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        int bodyStart = -1;
        while (bodyStart < 0 && (read = await stdout.ReadAsync(buffer, cancellationToken)) > 0)
        {
            headers.Write(buffer, 0, read);
            bodyStart = EndOfHeaders(headers.GetBuffer().AsSpan(0, (int)headers.Length));
            if (headers.Length > 64 * 1024)
            {
                throw new InvalidOperationException("git http-backend sent more than 64 KiB of CGI headers.");
            }
        }

        var all = headers.GetBuffer().AsMemory(0, (int)headers.Length);
        var headerEnd = bodyStart < 0 ? all.Length : bodyStart;
        response.StatusCode = StatusCodes.Status200OK;
        foreach (var line in Encoding.ASCII.GetString(all.Span[..headerEnd]).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                response.StatusCode = int.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture);
            }
            else
            {
                response.Headers.Append(name, value);
            }
        }

        if (bodyStart >= 0 && bodyStart < all.Length)
        {
            await response.Body.WriteAsync(all[bodyStart..], cancellationToken);
        }

        while ((read = await stdout.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
    }

    /// <summary>Where the body starts: after the first blank line (CRLF or LF), or -1.</summary>
    private static int EndOfHeaders(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] != '\n')
            {
                continue;
            }

            if (i + 1 < data.Length && data[i + 1] == '\n')
            {
                return i + 2;
            }

            if (i + 2 < data.Length && data[i + 1] == '\r' && data[i + 2] == '\n')
            {
                return i + 3;
            }
        }

        return -1;
    }
}
