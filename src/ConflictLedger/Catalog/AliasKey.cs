using System.Globalization;
using System.Text;

namespace ConflictLedger.Catalog;

/// <summary>
/// The form names are compared in: case, accents, punctuation and a leading article
/// ("the", "al", "el") do not count, so "al-Harish Hospital", "Harish hospital" and
/// "AL HARISH HOSPITAL" are one name, and so are "Abu-slim Martyr's Brigade" and
/// "Abu Slim Martyrs Brigade".
/// </summary>
public static class AliasKey
{
    private static readonly string[] Articles = ["the", "al", "el"];

    public static string Of(string name)
    {
        var decomposed = name.Normalize(NormalizationForm.FormD);
        var text = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark) continue;
            // Apostrophes join ("Martyr's" = "Martyrs"); other punctuation separates words.
            if (c is '\'' or '\u2019' or '\u2018' or '`') continue;
            text.Append(char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ');
        }
        var words = text.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (words.Count > 1 && Articles.Contains(words[0])) words.RemoveAt(0);
        return string.Join(' ', words);
    }
}
