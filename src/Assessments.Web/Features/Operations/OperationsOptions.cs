using System.ComponentModel.DataAnnotations;

namespace Assessments.Web.Features.Operations;

/// <summary>Traces, metrics and the operator's history (<c>/ops</c>).</summary>
public sealed class OperationsOptions
{
    public const string Section = "Operations";

    /// <summary>How often each process reads the queue and the outbox and adds its counts to the
    /// history. A minute keeps the history's resolution and costs a handful of statements.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Operations:SampleInterval must be between 00:00:01 and 00:10:00")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Days of history kept in <c>operation_counts</c> and <c>operation_gauges</c>.</summary>
    [Range(1, 400, ErrorMessage = "Operations:HistoryDays must be between 1 and 400")]
    public int HistoryDays { get; set; } = 8;

    /// <summary>The bearer token a Prometheus scrape of <c>/metrics</c> must send
    /// (<c>authorization: { credentials: ... }</c> in its scrape config). Without one, <c>/metrics</c>
    /// is not served: the figures say how busy the platform is, which is nobody else's business.</summary>
    [MinLength(24, ErrorMessage = "Operations:ScrapeToken must be at least 24 characters")]
    public string? ScrapeToken { get; set; }

    /// <summary>Where traces and metrics go over OTLP (<c>http://collector:4317</c>); none by
    /// default. The standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable works as well.</summary>
    [Url(ErrorMessage = "Operations:OtlpEndpoint must be an absolute URL")]
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (the collector's port 4317) or <c>http/protobuf</c> (4318; the
    /// signal's path, <c>/v1/traces</c> or <c>/v1/metrics</c>, is added to the endpoint).</summary>
    [RegularExpression("^(grpc|http/protobuf)$", ErrorMessage = "Operations:OtlpProtocol must be grpc or http/protobuf")]
    public string OtlpProtocol { get; set; } = "grpc";
}
