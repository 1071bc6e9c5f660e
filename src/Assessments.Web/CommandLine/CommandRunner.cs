namespace Assessments.Web.CommandLine;

/// <summary>Turns the failures a user can fix into one line on stderr and exit code 2.</summary>
public static class CommandRunner
{
    public const int ConfigurationError = 2;

    public const int UsageError = 3;

    public static int Run(Func<int> action) => RunAsync(() => Task.FromResult(action())).GetAwaiter().GetResult();

    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (StartupException e)
        {
            await Console.Error.WriteLineAsync($"assess: {e.Message}");
            return ConfigurationError;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"assess: {string.Join("; ", e.Failures)}");
            return ConfigurationError;
        }
        catch (CommandException e)
        {
            await Console.Error.WriteLineAsync($"assess: {e.Message}");
            return UsageError;
        }
    }
}

/// <summary>A command that cannot do what was asked; the message says why and what to do.</summary>
public sealed class CommandException(string message) : Exception(message);
