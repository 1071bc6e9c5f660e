using Ganss.Xss;
using Markdig;
using Microsoft.AspNetCore.Html;

namespace Assessments.Web.Common;

/// <summary>Markdown from authors (a scenario's brief) and candidates (<c>NOTES.md</c>) as HTML
/// that cannot run: raw HTML in the source is shown as text (Markdig's <c>DisableHtml</c>), and
/// the result goes through an allow-list sanitiser as well, which drops <c>javascript:</c> links
/// and any attribute Markdig should never have produced. The page's Content-Security-Policy is
/// the third wall.</summary>
public sealed class MarkdownRenderer
{
    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseAutoLinks()
        .UseEmphasisExtras()
        .UseTaskLists()
        .Build();

    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();

    public IHtmlContent Render(string? markdown) =>
        new HtmlString(string.IsNullOrWhiteSpace(markdown) ? "" : _sanitizer.Sanitize(Markdown.ToHtml(markdown, _pipeline)));

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.UnionWith(["http", "https", "mailto"]);
        // Images would let a candidate's notes make the reviewer's browser fetch any address.
        sanitizer.AllowedTags.Remove("img");
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } link)
            {
                link.SetAttribute("rel", "nofollow noopener noreferrer");
            }
        };
        return sanitizer;
    }
}
