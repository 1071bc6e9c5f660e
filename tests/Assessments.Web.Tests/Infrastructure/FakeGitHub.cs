using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>A local stand-in for the part of GitHub's REST API the platform uses, on a real Kestrel
/// at 127.0.0.1, under <c>/api/v3/</c> as Octokit addresses a non-github.com server. It keeps state
/// (repositories, commits, invitations, collaborators, hooks), so a retried step can be seen to
/// change nothing, and it checks each request as GitHub documents it: the token, a User-Agent,
/// GitHub's media type, a JSON body with every required field of the right type. A request that
/// breaks a rule gets GitHub's own answer for it (401, 403, 404, 422) and is recorded as refused.
/// Faults (a status with headers, or a connection dropped after the change was made) are planned
/// per request by a predicate.</summary>
public sealed partial class FakeGitHub : IAsyncDisposable
{
    public const string Token = "ghp_fake_token_for_tests";

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly object _lock = new();
    private readonly Dictionary<long, FakeRepository> _repositories = [];
    private readonly Dictionary<string, FakeCommit> _commits = [];
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly List<Fault> _faults = [];
    private long _nextId = 1000;
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Logins that exist; inviting anyone else is GitHub's 404.</summary>
    public ConcurrentDictionary<string, bool> Users { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Map("/api/v3/{**path}", HandleAsync);
        _app.MapGet("/_codeload/{id:long}/{sha}", TarballAsync);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single() + "/");
    }

    /// <summary>Answers the next <paramref name="times"/> requests that <paramref name="matches"/>
    /// with <paramref name="status"/> and <paramref name="headers"/>, without touching any state.</summary>
    public void Fail(Func<RecordedRequest, bool> matches, int status, int times = 1, IDictionary<string, string>? headers = null, string? message = null) =>
        AddFault(new Fault(matches, times, status, headers ?? new Dictionary<string, string>(), message ?? "Server Error", DropAfterApplying: false));

    /// <summary>Makes the change the next matching request asks for, then drops the connection
    /// before answering: the client cannot know that it worked.</summary>
    public void DropAfterApplying(Func<RecordedRequest, bool> matches, int times = 1) =>
        AddFault(new Fault(matches, times, 0, new Dictionary<string, string>(), "", DropAfterApplying: true));

    public FakeRepository? Repository(string owner, string name)
    {
        lock (_lock)
        {
            return _repositories.Values.SingleOrDefault(r => r.Owner.Equals(owner, StringComparison.OrdinalIgnoreCase) && r.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        }
    }

    public IReadOnlyList<FakeRepository> RepositoriesOf(string owner)
    {
        lock (_lock)
        {
            return [.. _repositories.Values.Where(r => r.Owner.Equals(owner, StringComparison.OrdinalIgnoreCase))];
        }
    }

    public FakeCommit Commit(string sha)
    {
        lock (_lock)
        {
            return _commits[sha];
        }
    }

    /// <summary>What a candidate's <c>git push</c> to GitHub does: a commit on top of the branch head
    /// (or a root commit with <paramref name="root"/>), the branch moved to it. Returns its id.</summary>
    public string Push(FakeRepository repository, string message, bool root = false, IReadOnlyDictionary<string, string>? changes = null)
    {
        lock (_lock)
        {
            var parent = repository.Refs.GetValueOrDefault($"heads/{repository.DefaultBranch}");
            var files = new Dictionary<string, string>(parent is null ? [] : _commits[parent].Files);
            foreach (var (path, content) in changes ?? new Dictionary<string, string>())
            {
                files[path] = content;
            }

            var sha = AddCommit(message, NewObject(), root || parent is null ? [] : [parent], files);
            repository.Refs[$"heads/{repository.DefaultBranch}"] = sha;
            return sha;
        }
    }

    public void AcceptInvitation(FakeRepository repository, string login)
    {
        lock (_lock)
        {
            repository.Invitations.RemoveAll(i => i.Login.Equals(login, StringComparison.OrdinalIgnoreCase));
            repository.Collaborators.Add(login);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private void AddFault(Fault fault)
    {
        lock (_lock)
        {
            _faults.Add(fault);
        }
    }

    private async Task HandleAsync(HttpContext context, string path)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var request = new RecordedRequest(context.Request.Method, "/" + path, text, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        _requests.Enqueue(request);

        Fault? fault;
        lock (_lock)
        {
            // Known before any fault is chosen, so a fault can be aimed at one test's organisation.
            request.Owner = OwnerOf(request.Path);
            fault = _faults.FirstOrDefault(f => f.Remaining > 0 && f.Matches(request));
            if (fault is not null)
            {
                fault.Remaining--;
            }
        }

        if (fault is { DropAfterApplying: false })
        {
            request.Status = fault.Status;
            foreach (var (name, value) in fault.Headers)
            {
                context.Response.Headers[name] = value;
            }

            await WriteAsync(context, new Answer(fault.Status, new JsonObject { ["message"] = fault.Message, ["documentation_url"] = "https://docs.github.com/rest" }));
            return;
        }

        Answer answer;
        try
        {
            answer = Check(request) ?? Route(request);
        }
        catch (Refused refused)
        {
            answer = refused.Answer;
        }

        request.Status = answer.Status;
        if (fault is { DropAfterApplying: true })
        {
            context.Abort();
            return;
        }

        await WriteAsync(context, answer);
    }

    /// <summary>GitHub's tarball of a commit: gzip, a pax header, every file under one top folder.</summary>
    private async Task TarballAsync(HttpContext context, long id, string sha)
    {
        FakeRepository repository;
        FakeCommit commit;
        lock (_lock)
        {
            repository = _repositories[id];
            commit = _commits[sha];
        }

        using var buffer = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
        {
            var top = $"{repository.Owner}-{repository.Name}-{sha[..7]}/";
            await tar.WriteEntryAsync(new System.Formats.Tar.PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = sha }));
            await tar.WriteEntryAsync(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, top));
            foreach (var (path, content) in commit.Files)
            {
                var executable = content.StartsWith("x:", StringComparison.Ordinal);
                var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, top + path)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(executable ? content[2..] : content)),
                    Mode = executable ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
                };
                await tar.WriteEntryAsync(entry);
            }
        }

        context.Response.ContentType = "application/x-gzip";
        await context.Response.Body.WriteAsync(buffer.ToArray());
    }

    private static async Task WriteAsync(HttpContext context, Answer answer)
    {
        context.Response.StatusCode = answer.Status;
        if (answer.Location is not null)
        {
            context.Response.Headers.Location = answer.Location;
        }

        context.Response.Headers["x-ratelimit-limit"] = "5000";
        context.Response.Headers["x-ratelimit-remaining"] = context.Response.Headers["x-ratelimit-remaining"].Count > 0 ? context.Response.Headers["x-ratelimit-remaining"] : "4999";
        if (answer.Body is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(answer.Body.ToJsonString(Relaxed));
        }
    }

    /// <summary>What every request must carry.</summary>
    private static Answer? Check(RecordedRequest request)
    {
        // GitHub takes either scheme, in any case (Octokit sends "Token").
        var authorization = (request.Headers.GetValueOrDefault("Authorization") ?? "").Split(' ', 2);
        if (authorization is not [var scheme, Token] || !(scheme.Equals("token", StringComparison.OrdinalIgnoreCase) || scheme.Equals("bearer", StringComparison.OrdinalIgnoreCase)))
        {
            return Error(401, "Bad credentials");
        }

        if (string.IsNullOrWhiteSpace(request.Headers.GetValueOrDefault("User-Agent")))
        {
            // GitHub refuses a request without a User-Agent.
            return Error(403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.");
        }

        if (!(request.Headers.GetValueOrDefault("Accept") ?? "").Contains("application/vnd.github", StringComparison.Ordinal)
            && !(request.Headers.GetValueOrDefault("Accept") ?? "").Contains("application/json", StringComparison.Ordinal))
        {
            return Error(415, "Unsupported 'Accept' header; use application/vnd.github+json.");
        }

        if (request.Method is "POST" or "PATCH" or "PUT" && request.Body.Length > 0)
        {
            try
            {
                request.Json = JsonNode.Parse(request.Body);
            }
            catch (System.Text.Json.JsonException)
            {
                return Error(400, "Problems parsing JSON");
            }
        }

        return null;
    }

    private Answer Route(RecordedRequest request)
    {
        lock (_lock)
        {
            var (method, path) = (request.Method, request.Path);
            if (method == "POST" && OrgRepos().Match(path) is { Success: true } create)
            {
                return CreateRepository(create.Groups[1].Value, request);
            }

            if (RepositoryPath().Match(path) is not { Success: true } match)
            {
                return Error(404, "Not Found");
            }

            var repository = match.Groups["id"].Success
                ? _repositories.GetValueOrDefault(long.Parse(match.Groups["id"].Value))
                : _repositories.Values.SingleOrDefault(r => r.Owner.Equals(match.Groups["owner"].Value, StringComparison.OrdinalIgnoreCase) && r.Name.Equals(match.Groups["name"].Value, StringComparison.OrdinalIgnoreCase));
            if (repository is null)
            {
                return Error(404, "Not Found");
            }

            request.Owner = repository.Owner;
            var rest = match.Groups["rest"].Value;
            return (method, rest) switch
            {
                ("GET", "") => new Answer(200, Json(repository)),
                ("PATCH", "") => EditRepository(repository, request),
                ("POST", "/generate") => Generate(repository, request),
                ("GET", "/invitations") => new Answer(200, new JsonArray([.. repository.Invitations.Select(Json)])),
                ("GET", "/hooks") => new Answer(200, new JsonArray([.. repository.Hooks.Select(Json)])),
                ("POST", "/hooks") => CreateHook(repository, request),
                ("POST", "/git/blobs") => CreateBlob(repository, request),
                ("POST", "/git/trees") => CreateTree(repository, request),
                ("POST", "/git/commits") => CreateCommit(repository, request),
                _ => RouteItem(repository, method, rest, request),
            };
        }
    }

    private Answer RouteItem(FakeRepository repository, string method, string rest, RecordedRequest request)
    {
        if (Item().Match(rest) is not { Success: true } item)
        {
            return Error(404, "Not Found");
        }

        var (kind, key) = (item.Groups[1].Value, Uri.UnescapeDataString(item.Groups[2].Value));
        switch (method, kind)
        {
            case ("GET", "collaborators"):
                return new Answer(repository.Collaborators.Contains(key) ? 204 : 404, null);
            case ("PUT", "collaborators"):
                return Invite(repository, key, request);
            case ("DELETE", "collaborators"):
                repository.Collaborators.Remove(key);
                return new Answer(204, null);
            case ("DELETE", "invitations"):
                return repository.Invitations.RemoveAll(i => i.Id.ToString() == key) > 0 ? new Answer(204, null) : Error(404, "Not Found");
            case ("PATCH", "hooks"):
                return EditHook(repository, key, request);
            case ("GET", "git/ref") or ("GET", "git/refs"):
                return repository.Refs.TryGetValue(key, out var sha)
                    ? new Answer(200, new JsonObject { ["ref"] = $"refs/{key}", ["object"] = new JsonObject { ["sha"] = sha, ["type"] = "commit" } })
                    : Error(404, "Not Found");
            case ("PATCH", "git/refs"):
                return UpdateRef(repository, key, request);
            case ("GET", "tarball"):
                // As GitHub: a redirect to codeload, which serves the archive without the API's rules.
                return _commits.ContainsKey(key) ? new Answer(302, null, $"{BaseAddress}_codeload/{repository.Id}/{key}") : Error(404, "Not Found");
            case ("GET", "git/commits"):
                return _commits.TryGetValue(key, out var commit) ? new Answer(200, Json(key, commit)) : Error(404, "Not Found");
            default:
                return Error(404, "Not Found");
        }
    }

    private Answer CreateRepository(string owner, RecordedRequest request)
    {
        var body = Body(request);
        var name = Required<string>(body, "name");
        OptionalFlag(body, "private");
        OptionalFlag(body, "is_template");
        OptionalFlag(body, "auto_init");
        Optional<string>(body, "description");
        if (Repository(owner, name) is not null)
        {
            return NameExists();
        }

        var repository = Add(owner, name, OptionalFlag(body, "private") ?? false, OptionalFlag(body, "is_template") ?? false);
        if (OptionalFlag(body, "auto_init") == true)
        {
            repository.Refs["heads/main"] = AddCommit("Initial commit", NewObject(), [], new Dictionary<string, string> { ["README.md"] = "# " + name });
        }

        request.Owner = owner;
        return new Answer(201, Json(repository));
    }

    private Answer Generate(FakeRepository template, RecordedRequest request)
    {
        var body = Body(request);
        var name = Required<string>(body, "name");
        var owner = Optional<string>(body, "owner") ?? template.Owner;
        Optional<string>(body, "description");
        OptionalFlag(body, "include_all_branches");
        var isPrivate = OptionalFlag(body, "private") ?? false;
        if (!template.IsTemplate)
        {
            return Error(422, $"{template.Owner}/{template.Name} is not a template repository.");
        }

        if (Repository(owner, name) is not null)
        {
            return NameExists();
        }

        var repository = Add(owner, name, isPrivate, isTemplate: false);
        repository.GeneratedFrom = $"{template.Owner}/{template.Name}";
        if (template.Refs.GetValueOrDefault($"heads/{template.DefaultBranch}") is { } head)
        {
            // GitHub copies the files into a fresh root commit of its own.
            var source = _commits[head];
            repository.Refs[$"heads/{template.DefaultBranch}"] = AddCommit("Initial commit", source.Tree, [], new Dictionary<string, string>(source.Files));
        }

        return new Answer(201, Json(repository));
    }

    private Answer EditRepository(FakeRepository repository, RecordedRequest request)
    {
        var body = Body(request);
        if (OptionalFlag(body, "archived") is { } archived)
        {
            repository.Archived = archived;
        }

        return new Answer(200, Json(repository));
    }

    private Answer Invite(FakeRepository repository, string login, RecordedRequest request)
    {
        var permission = request.Json is null ? "push" : Optional<string>(Body(request), "permission") ?? "push";
        if (permission is not ("pull" or "triage" or "push" or "maintain" or "admin"))
        {
            return Invalid("permission", $"'{permission}' is not a permission");
        }

        if (!Users.ContainsKey(login))
        {
            return Error(404, "Not Found");
        }

        if (repository.Collaborators.Contains(login))
        {
            return new Answer(204, null);
        }

        var invitation = repository.Invitations.FirstOrDefault(i => i.Login.Equals(login, StringComparison.OrdinalIgnoreCase));
        if (invitation is null)
        {
            invitation = new FakeInvitation(_nextId++, login, permission);
            repository.Invitations.Add(invitation);
        }

        return new Answer(201, Json(invitation));
    }

    private Answer CreateHook(FakeRepository repository, RecordedRequest request)
    {
        var body = Body(request);
        if (Optional<string>(body, "name") is { } name && name != "web")
        {
            return Invalid("name", "must be 'web'");
        }

        var config = Required<JsonObject>(body, "config");
        var url = Required<string>(config, "url");
        var contentType = Optional<string>(config, "content_type") ?? "form";
        if (contentType is not ("json" or "form"))
        {
            return Invalid("content_type", $"'{contentType}' is neither json nor form");
        }

        var events = Optional<JsonArray>(body, "events")?.Select(e => e!.GetValue<string>()).ToList() ?? ["push"];
        if (repository.Hooks.Any(h => h.Url == url && h.Events.SequenceEqual(events)))
        {
            return new Answer(422, new JsonObject
            {
                ["message"] = "Validation Failed",
                ["errors"] = new JsonArray(new JsonObject { ["resource"] = "Hook", ["code"] = "custom", ["message"] = "Hook already exists on this repository" }),
            });
        }

        var hook = new FakeHook((int)_nextId++, url, contentType, Optional<string>(config, "secret"), events, OptionalFlag(body, "active") ?? true);
        repository.Hooks.Add(hook);
        return new Answer(201, Json(hook));
    }

    private static Answer EditHook(FakeRepository repository, string id, RecordedRequest request)
    {
        var index = repository.Hooks.FindIndex(h => h.Id.ToString() == id);
        if (index < 0)
        {
            return Error(404, "Not Found");
        }

        var body = Body(request);
        var hook = repository.Hooks[index];
        if (Optional<JsonObject>(body, "config") is { } config)
        {
            hook = hook with { Url = Required<string>(config, "url"), ContentType = Optional<string>(config, "content_type") ?? hook.ContentType, Secret = Optional<string>(config, "secret") };
        }

        hook = hook with
        {
            Events = Optional<JsonArray>(body, "events")?.Select(e => e!.GetValue<string>()).ToList() ?? hook.Events,
            Active = OptionalFlag(body, "active") ?? hook.Active,
        };
        repository.Hooks[index] = hook;
        return new Answer(200, Json(hook));
    }

    private Answer CreateBlob(FakeRepository repository, RecordedRequest request)
    {
        var body = Body(request);
        var content = Required<string>(body, "content");
        var encoding = Optional<string>(body, "encoding") ?? "utf-8";
        if (encoding is not ("utf-8" or "base64"))
        {
            return Invalid("encoding", $"'{encoding}' is neither utf-8 nor base64");
        }

        if (repository.Refs.Count == 0)
        {
            return Error(409, "Git Repository is empty.");
        }

        var bytes = encoding == "base64" ? Convert.FromBase64String(content) : Encoding.UTF8.GetBytes(content);
        var sha = Convert.ToHexStringLower(SHA1.HashData(bytes));
        repository.Blobs[sha] = Encoding.UTF8.GetString(bytes);
        return new Answer(201, new JsonObject { ["sha"] = sha });
    }

    private Answer CreateTree(FakeRepository repository, RecordedRequest request)
    {
        var body = Body(request);
        var items = Required<JsonArray>(body, "tree");
        var files = new Dictionary<string, string>();
        foreach (var node in items)
        {
            var item = node as JsonObject ?? throw new Refused(Invalid("tree", "items must be objects"));
            var path = Required<string>(item, "path");
            var mode = Required<string>(item, "mode");
            var type = Required<string>(item, "type");
            var sha = Required<string>(item, "sha");
            if (mode is not ("100644" or "100755" or "040000" or "160000" or "120000") || type is not ("blob" or "tree" or "commit"))
            {
                return Invalid("tree", $"'{path}' has mode {mode} and type {type}");
            }

            if (!repository.Blobs.TryGetValue(sha, out var content))
            {
                return Invalid("tree", $"'{path}' names blob {sha}, which does not exist");
            }

            files[path] = (mode == "100755" ? "x:" : "") + content;
        }

        var tree = NewObject();
        repository.Trees[tree] = files;
        return new Answer(201, new JsonObject { ["sha"] = tree });
    }

    private Answer CreateCommit(FakeRepository repository, RecordedRequest request)
    {
        var body = Body(request);
        var message = Required<string>(body, "message");
        var tree = Required<string>(body, "tree");
        var parents = Optional<JsonArray>(body, "parents")?.Select(p => p!.GetValue<string>()).ToList() ?? [];
        if (!repository.Trees.TryGetValue(tree, out var files))
        {
            return Invalid("tree", $"tree {tree} does not exist");
        }

        if (parents.Any(p => !_commits.ContainsKey(p)))
        {
            return Invalid("parents", "a parent does not exist");
        }

        var sha = AddCommit(message, tree, parents, files);
        return new Answer(201, Json(sha, _commits[sha]));
    }

    private Answer UpdateRef(FakeRepository repository, string name, RecordedRequest request)
    {
        var body = Body(request);
        var sha = Required<string>(body, "sha");
        var force = OptionalFlag(body, "force") ?? false;
        if (!repository.Refs.TryGetValue(name, out var current))
        {
            return Error(422, "Reference does not exist");
        }

        if (!_commits.ContainsKey(sha))
        {
            return Error(422, "Object does not exist");
        }

        if (!force && !IsAncestor(current, sha))
        {
            return Error(422, "Update is not a fast forward");
        }

        repository.Refs[name] = sha;
        return new Answer(200, new JsonObject { ["ref"] = $"refs/{name}", ["object"] = new JsonObject { ["sha"] = sha, ["type"] = "commit" } });
    }

    private string? OwnerOf(string path)
    {
        if (OrgRepos().Match(path) is { Success: true } create)
        {
            return create.Groups[1].Value;
        }

        if (RepositoryPath().Match(path) is not { Success: true } match)
        {
            return null;
        }

        return match.Groups["id"].Success
            ? _repositories.GetValueOrDefault(long.Parse(match.Groups["id"].Value))?.Owner
            : match.Groups["owner"].Value;
    }

    private bool IsAncestor(string ancestor, string commit) =>
        commit == ancestor || _commits[commit].Parents.Any(p => IsAncestor(ancestor, p));

    private FakeRepository Add(string owner, string name, bool isPrivate, bool isTemplate)
    {
        var repository = new FakeRepository(_nextId++, owner, name) { Private = isPrivate, IsTemplate = isTemplate };
        _repositories[repository.Id] = repository;
        return repository;
    }

    private string AddCommit(string message, string tree, List<string> parents, Dictionary<string, string> files)
    {
        var sha = NewObject();
        _commits[sha] = new FakeCommit(message, tree, parents, files);
        return sha;
    }

    private string NewObject()
    {
        var sha = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        return sha;
    }

    private JsonObject Json(FakeRepository r) => new()
    {
        ["id"] = r.Id,
        ["node_id"] = $"R_{r.Id}",
        ["name"] = r.Name,
        ["full_name"] = $"{r.Owner}/{r.Name}",
        ["owner"] = new JsonObject { ["login"] = r.Owner, ["id"] = 1, ["type"] = "Organization" },
        ["private"] = r.Private,
        ["visibility"] = r.Private ? "private" : "public",
        ["is_template"] = r.IsTemplate,
        ["archived"] = r.Archived,
        ["default_branch"] = r.DefaultBranch,
        ["html_url"] = $"{BaseAddress}{r.Owner}/{r.Name}",
        ["clone_url"] = $"{BaseAddress}{r.Owner}/{r.Name}.git",
        ["url"] = $"{BaseAddress}api/v3/repos/{r.Owner}/{r.Name}",
    };

    private static JsonObject Json(FakeInvitation i) => new()
    {
        ["id"] = i.Id,
        ["invitee"] = new JsonObject { ["login"] = i.Login, ["id"] = Math.Abs(i.Login.GetHashCode()) },
        ["permissions"] = i.Permission == "push" ? "write" : i.Permission,
        ["created_at"] = "2026-11-26T00:00:00Z",
    };

    private static JsonObject Json(FakeHook h) => new()
    {
        ["id"] = h.Id,
        ["name"] = "web",
        ["active"] = h.Active,
        ["events"] = new JsonArray([.. h.Events.Select(e => (JsonNode)e)]),
        // GitHub never shows a hook's secret back, only that there is one.
        ["config"] = new JsonObject { ["url"] = h.Url, ["content_type"] = h.ContentType, ["insecure_ssl"] = "0", ["secret"] = h.Secret is null ? null : "********" },
        ["created_at"] = "2026-11-26T00:00:00Z",
        ["updated_at"] = "2026-11-26T00:00:00Z",
    };

    private static JsonObject Json(string sha, FakeCommit c) => new()
    {
        ["sha"] = sha,
        ["message"] = c.Message,
        ["tree"] = new JsonObject { ["sha"] = c.Tree },
        ["parents"] = new JsonArray([.. c.Parents.Select(p => (JsonNode)new JsonObject { ["sha"] = p })]),
        ["author"] = new JsonObject { ["name"] = "Someone", ["email"] = "someone@example.test", ["date"] = "2026-11-26T00:00:00Z" },
        ["committer"] = new JsonObject { ["name"] = "Someone", ["email"] = "someone@example.test", ["date"] = "2026-11-26T00:00:00Z" },
    };

    private static JsonObject Body(RecordedRequest request) =>
        request.Json as JsonObject ?? throw new Refused(Error(400, "Problems parsing JSON"));

    private static T Required<T>(JsonObject body, string field) =>
        body[field] is { } node && TryGet<T>(node, out var value)
            ? value
            : throw new Refused(Invalid(field, body.ContainsKey(field) ? $"\"{field}\" is not a {typeof(T).Name}" : $"\"{field}\" wasn't supplied."));

    private static bool? OptionalFlag(JsonObject body, string field) =>
        body[field] is null ? null : body[field] is JsonValue v && v.TryGetValue(out bool flag) ? flag : throw new Refused(Invalid(field, $"\"{field}\" is not a Boolean"));

    private static T? Optional<T>(JsonObject body, string field)
        where T : class =>
        body[field] is null ? default : TryGet<T>(body[field]!, out var value) ? value : throw new Refused(Invalid(field, $"\"{field}\" is not a {typeof(T).Name}"));

    private static bool TryGet<T>(JsonNode node, out T value)
    {
        value = default!;
        switch (node)
        {
            case JsonObject o when typeof(T) == typeof(JsonObject):
                value = (T)(object)o;
                return true;
            case JsonArray a when typeof(T) == typeof(JsonArray):
                value = (T)(object)a;
                return true;
            case JsonValue v when v.TryGetValue(out T? typed):
                value = typed!;
                return true;
            default:
                return false;
        }
    }

    private static Answer Error(int status, string message) =>
        new(status, new JsonObject { ["message"] = message, ["documentation_url"] = "https://docs.github.com/rest" });

    private static Answer Invalid(string field, string message) => new(422, new JsonObject
    {
        ["message"] = $"Invalid request.\n\n{message}",
        ["errors"] = new JsonArray(new JsonObject { ["field"] = field, ["code"] = "invalid", ["message"] = message }),
        ["documentation_url"] = "https://docs.github.com/rest",
    });

    private static Answer NameExists() => new(422, new JsonObject
    {
        ["message"] = "Repository creation failed.",
        ["errors"] = new JsonArray(new JsonObject { ["resource"] = "Repository", ["code"] = "custom", ["field"] = "name", ["message"] = "name already exists on this account" }),
        ["documentation_url"] = "https://docs.github.com/rest/repos/repos#create-an-organization-repository",
    });

    [GeneratedRegex("^/orgs/([^/]+)/repos$")]
    private static partial Regex OrgRepos();

    [GeneratedRegex("^/(?:repositories/(?<id>[0-9]+)|repos/(?<owner>[^/]+)/(?<name>[^/]+))(?<rest>/.*)?$")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex("^/(collaborators|invitations|hooks|git/refs|git/ref|git/commits|tarball)/(.+)$")]
    private static partial Regex Item();

    private sealed record Answer(int Status, JsonNode? Body, string? Location = null);

    private sealed class Refused(Answer answer) : Exception(answer.Body?.ToJsonString())
    {
        public Answer Answer { get; } = answer;
    }

    private sealed record Fault(Func<RecordedRequest, bool> Matches, int Times, int Status, IDictionary<string, string> Headers, string Message, bool DropAfterApplying)
    {
        public int Remaining { get; set; } = Times;
    }
}

/// <summary>A request as the fake received it, with the status it answered (0 when a fault answered).</summary>
public sealed class RecordedRequest(string method, string path, string body, IReadOnlyDictionary<string, string> headers)
{
    public string Method { get; } = method;

    public string Path { get; } = path;

    public string Body { get; } = body;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public JsonNode? Json { get; set; }

    /// <summary>The owner of the repository the request was about, once known.</summary>
    public string? Owner { get; set; }

    public int Status { get; set; }

    public override string ToString() => $"{Method} {Path} → {Status}";
}

public sealed class FakeRepository(long id, string owner, string name)
{
    public long Id { get; } = id;

    public string Owner { get; } = owner;

    public string Name { get; } = name;

    public bool Private { get; set; }

    public bool IsTemplate { get; set; }

    public bool Archived { get; set; }

    public string DefaultBranch { get; set; } = "main";

    public string? GeneratedFrom { get; set; }

    public Dictionary<string, string> Refs { get; } = [];

    public HashSet<string> Collaborators { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<FakeInvitation> Invitations { get; } = [];

    public List<FakeHook> Hooks { get; } = [];

    internal Dictionary<string, string> Blobs { get; } = [];

    internal Dictionary<string, Dictionary<string, string>> Trees { get; } = [];
}

/// <summary>A commit and the files of its tree (path → content, "x:" in front for executables).</summary>
public sealed record FakeCommit(string Message, string Tree, List<string> Parents, Dictionary<string, string> Files);

public sealed record FakeInvitation(long Id, string Login, string Permission);

public sealed record FakeHook(int Id, string Url, string ContentType, string? Secret, List<string> Events, bool Active);
