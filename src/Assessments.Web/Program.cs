using Assessments.Web.Hosting;

// One binary: `assess serve` (web and worker), `assess worker`, and the operator verbs.
return await AssessCommandLine.InvokeAsync(args);

/// <summary>Entry point; public so tests can name the assembly.</summary>
public partial class Program;
