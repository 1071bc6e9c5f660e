using System.Diagnostics.CodeAnalysis;

namespace Assessments.Web.Common;

public static class ValidatedOptions
{
    /// <summary>Options of type <typeparamref name="TOptions"/> bound from the configuration
    /// <paramref name="section"/>, their data annotations checked when the host starts: a wrong
    /// setting stops the process with its name instead of failing at first use.</summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>()
            .BindConfiguration(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
