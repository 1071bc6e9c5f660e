using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>Stands in for an OpenTelemetry collector on 127.0.0.1: takes OTLP http/protobuf exports
/// and keeps each body by path. The bodies are protobuf, whose strings are plain UTF-8, so a span's
/// name and its attributes' keys and values can be found in them without decoding.</summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, string Body)> _received = new();

    private OtlpCollector(WebApplication app) => _app = app;

    /// <summary>The base address to configure as the OTLP endpoint.</summary>
    public string Address { get; private set; } = "";

    public static async Task<OtlpCollector> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var collector = new OtlpCollector(app);
        app.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            collector._received.Enqueue((context.Request.Path, Encoding.UTF8.GetString(body.ToArray())));
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync(cancellationToken);
        collector.Address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return collector;
    }

    /// <summary>The first export to <paramref name="path"/> that holds <paramref name="text"/>.</summary>
    public async Task<string> WaitForAsync(string path, string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if (_received.FirstOrDefault(r => r.Path == path && r.Body.Contains(text, StringComparison.Ordinal)) is { Body: { } body })
            {
                return body;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new Xunit.Sdk.XunitException($"No export to {path} held '{text}' within {timeout}; received: {string.Join(", ", _received.Select(r => $"{r.Path} ({r.Body.Length} bytes)"))}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
