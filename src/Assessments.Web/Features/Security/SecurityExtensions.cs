using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Assessments.Web.Features.Security;

/// <summary>Names of the rate-limit policies endpoints opt into.</summary>
public static class RateLimitPolicies
{
    public const string SignIn = "sign-in";
    public const string Invitation = "invitation";
    public const string Git = "git";
}

public static class SecurityExtensions
{
    /// <summary>Per-address fixed windows of one minute for the policies in <see cref="RateLimitPolicies"/>;
    /// a refused request gets 429 with <c>Retry-After</c> and a sentence saying why.</summary>
    public static IHostApplicationBuilder AddSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.Section);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync(
                    $"Too many requests from your address: try again in {Math.Ceiling(retryAfter.TotalSeconds)} seconds.", cancellationToken);
            };
            limiter.AddPolicy(RateLimitPolicies.SignIn, context =>
                // Reading the form is free; each attempt counts.
                HttpMethods.IsPost(context.Request.Method)
                    ? PerAddress(context, options => options.SignInPerMinute)
                    : RateLimitPartition.GetNoLimiter("read"));
            limiter.AddPolicy(RateLimitPolicies.Invitation, context => PerAddress(context, options => options.InvitationPerMinute));
            limiter.AddPolicy(RateLimitPolicies.Git, context => PerAddress(context, options => options.GitPerMinute));
        });
        return builder;
    }

    /// <summary>Headers every answer of the web role carries, pages and errors alike: a
    /// Content-Security-Policy that allows only this site's own scripts and styles (no inline
    /// script, so injected markup cannot run), no framing, no MIME sniffing, and no full URLs
    /// (which can hold an invitation secret) leaked to other sites.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy(context.Request.Path);
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "same-origin";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                return Task.CompletedTask;
            });
            return next(context);
        });

    /// <summary>The policy for <paramref name="path"/>. Hangfire's dashboard (operators only)
    /// sets styles inline, so it alone may; scripts stay this site's everywhere.</summary>
    public static string ContentSecurityPolicy(PathString path)
    {
        var styles = path.StartsWithSegments("/ops/jobs") ? "'self' 'unsafe-inline'" : "'self'";
        return $"default-src 'self'; script-src 'self'; style-src {styles}; img-src 'self' data:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    private static RateLimitPartition<string> PerAddress(HttpContext context, Func<RateLimitOptions, int> limit)
    {
        var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
        var permits = limit(context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        return RateLimitPartition.GetFixedWindowLimiter(address.ToString(), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
    }
}
