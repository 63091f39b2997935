//! Lenient date parsing for feeds from the wild: RFC 822/2822 with or without weekday,
//! RFC 3339/ISO 8601 with or without a zone, date-only values, US/English human dates, and day
//! and month names in the languages seen in the corpus (Portuguese, Spanish, German, French,
//! Italian, Dutch).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Local-language day and month names mapped to the English abbreviations chrono understands.
const NAMES: &[(&str, &str)] = &[
    // months
    ("janeiro", "Jan"),
    ("fevereiro", "Feb"),
    ("março", "Mar"),
    ("marco", "Mar"),
    ("abril", "Apr"),
    ("maio", "May"),
    ("junho", "Jun"),
    ("julho", "Jul"),
    ("agosto", "Aug"),
    ("setembro", "Sep"),
    ("outubro", "Oct"),
    ("novembro", "Nov"),
    ("dezembro", "Dec"),
    ("enero", "Jan"),
    ("febrero", "Feb"),
    ("marzo", "Mar"),
    ("mayo", "May"),
    ("junio", "Jun"),
    ("julio", "Jul"),
    ("septiembre", "Sep"),
    ("setiembre", "Sep"),
    ("octubre", "Oct"),
    ("noviembre", "Nov"),
    ("diciembre", "Dec"),
    ("januar", "Jan"),
    ("februar", "Feb"),
    ("märz", "Mar"),
    ("mai", "May"),
    ("juni", "Jun"),
    ("juli", "Jul"),
    ("oktober", "Oct"),
    ("dezember", "Dec"),
    ("janvier", "Jan"),
    ("février", "Feb"),
    ("fevrier", "Feb"),
    ("mars", "Mar"),
    ("avril", "Apr"),
    ("juin", "Jun"),
    ("juillet", "Jul"),
    ("août", "Aug"),
    ("aout", "Aug"),
    ("septembre", "Sep"),
    ("octobre", "Oct"),
    ("novembre", "Nov"),
    ("décembre", "Dec"),
    ("decembre", "Dec"),
    ("gennaio", "Jan"),
    ("febbraio", "Feb"),
    ("aprile", "Apr"),
    ("maggio", "May"),
    ("giugno", "Jun"),
    ("luglio", "Jul"),
    ("settembre", "Sep"),
    ("ottobre", "Oct"),
    ("dicembre", "Dec"),
    ("januari", "Jan"),
    ("februari", "Feb"),
    ("maart", "Mar"),
    ("mei", "May"),
    ("augustus", "Aug"),
    ("fev", "Feb"),
    ("abr", "Apr"),
    ("ago", "Aug"),
    ("set", "Sep"),
    ("out", "Oct"),
    ("dez", "Dec"),
    ("ene", "Jan"),
    ("dic", "Dec"),
    ("mär", "Mar"),
    ("okt", "Oct"),
    ("janv", "Jan"),
    ("févr", "Feb"),
    ("avr", "Apr"),
    ("juil", "Jul"),
    ("sept", "Sep"),
    ("déc", "Dec"),
    ("gen", "Jan"),
    ("giu", "Jun"),
    ("lug", "Jul"),
    ("ott", "Oct"),
    ("maj", "May"),
    // weekdays
    ("seg", "Mon"),
    ("ter", "Tue"),
    ("qua", "Wed"),
    ("qui", "Thu"),
    ("sex", "Fri"),
    ("sáb", "Sat"),
    ("sab", "Sat"),
    ("dom", "Sun"),
    ("lun", "Mon"),
    ("mié", "Wed"),
    ("mie", "Wed"),
    ("jue", "Thu"),
    ("vie", "Fri"),
    ("mo", "Mon"),
    ("di", "Tue"),
    ("mi", "Wed"),
    ("do", "Thu"),
    ("fr", "Fri"),
    ("sa", "Sat"),
    ("so", "Sun"),
    ("lundi", "Mon"),
    ("mardi", "Tue"),
    ("mercredi", "Wed"),
    ("jeudi", "Thu"),
    ("vendredi", "Fri"),
    ("samedi", "Sat"),
    ("dimanche", "Sun"),
    ("montag", "Mon"),
    ("dienstag", "Tue"),
    ("mittwoch", "Wed"),
    ("donnerstag", "Thu"),
    ("freitag", "Fri"),
    ("samstag", "Sat"),
    ("sonntag", "Sun"),
];

/// Named zones that RFC 822 allows and feeds still use.
const ZONES: &[(&str, &str)] = &[
    ("UT", "+0000"),
    ("UTC", "+0000"),
    ("GMT", "+0000"),
    ("Z", "+0000"),
    ("EST", "-0500"),
    ("EDT", "-0400"),
    ("CST", "-0600"),
    ("CDT", "-0500"),
    ("MST", "-0700"),
    ("MDT", "-0600"),
    ("PST", "-0800"),
    ("PDT", "-0700"),
    ("CET", "+0100"),
    ("CEST", "+0200"),
    ("BST", "+0100"),
    ("IST", "+0530"),
    ("JST", "+0900"),
    ("AEST", "+1000"),
    ("BRT", "-0300"),
    ("MSK", "+0300"),
];

/// Parses a date as found in a feed or page. Dates without a zone are taken as UTC.
pub(crate) fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim().trim_matches('\u{feff}');
    if s.is_empty() {
        return None;
    }
    if let Some(d) = parse_english(s) {
        return Some(d);
    }
    let translated = translate(s);
    if translated != s {
        return parse_english(&translated);
    }
    None
}

/// Parses a human date on a web page relative to `now` (for "Oct 29" without a year, the most
/// recent such day not after `now`).
pub(crate) fn parse_human_date(raw: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if let Some(d) = parse_date(raw) {
        return Some(d);
    }
    let s = collapse(&translate(raw.trim()));
    use chrono::Datelike;
    for fmt in ["%b %d", "%B %d", "%d %b", "%d %B"] {
        let with_year = format!("{s} {}", now.year());
        let fmt_y = format!("{fmt} %Y");
        if let Ok(d) = NaiveDate::parse_from_str(&with_year, &fmt_y) {
            let d = if d > now.date_naive() {
                d.with_year(now.year() - 1)?
            } else {
                d
            };
            return Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?));
        }
    }
    None
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn translate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            let lower = word.to_lowercase();
            let trimmed = lower.trim_end_matches('.');
            match NAMES.iter().find(|(k, _)| *k == trimmed) {
                Some((_, en)) => out.push_str(en),
                None => out.push_str(word),
            }
            word.clear();
        }
    };
    for c in s.chars() {
        if c.is_alphabetic()
            || (c == '.' && !word.is_empty() && word.chars().all(char::is_alphabetic))
        {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn parse_english(s: &str) -> Option<DateTime<Utc>> {
    let s = collapse(s);
    if let Ok(d) = DateTime::parse_from_rfc3339(&s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(&s) {
        return Some(d.with_timezone(&Utc));
    }
    let s = replace_zone_name(&s);
    // Drop a leading weekday ("Mon, " / "Monday ") — many feeds get it wrong anyway.
    let no_weekday = match s.split_once(',') {
        Some((head, tail)) if head.chars().all(char::is_alphabetic) => tail.trim().to_string(),
        _ => s.clone(),
    };
    let candidates = [s.as_str(), no_weekday.as_str()];
    for cand in candidates {
        for fmt in [
            "%d %b %Y %H:%M:%S %z",
            "%d %b %Y %H:%M %z",
            "%d %B %Y %H:%M:%S %z",
            "%a %d %b %Y %H:%M:%S %z",
            "%Y-%m-%dT%H:%M:%S%.f%z",
            "%Y-%m-%dT%H:%M%z",
            "%Y-%m-%d %H:%M:%S%.f %z",
            "%Y-%m-%d %H:%M:%S%.f%z",
            "%b %d, %Y %H:%M:%S %z",
        ] {
            if let Ok(d) = DateTime::<FixedOffset>::parse_from_str(cand, fmt) {
                return Some(d.with_timezone(&Utc));
            }
        }
        for fmt in [
            "%d %b %Y %H:%M:%S",
            "%d %b %Y %H:%M",
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%d %H:%M",
            "%Y/%m/%d %H:%M:%S",
            "%b %d, %Y %H:%M",
            "%B %d, %Y %I:%M %p",
        ] {
            if let Ok(d) = NaiveDateTime::parse_from_str(cand, fmt) {
                return Some(Utc.from_utc_datetime(&d));
            }
        }
        for fmt in [
            "%Y-%m-%d",
            "%Y/%m/%d",
            "%d %b %Y",
            "%d %B %Y",
            "%b %d, %Y",
            "%B %d, %Y",
            "%b %d %Y",
            "%B %d %Y",
            "%d.%m.%Y",
            "%a %b %d %Y",
            "%A, %B %d, %Y",
            "%Y%m%d",
        ] {
            if let Ok(d) = NaiveDate::parse_from_str(cand, fmt) {
                return Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?));
            }
        }
    }
    None
}

/// Replaces a trailing zone abbreviation ("GMT", "PDT") with its numeric offset.
fn replace_zone_name(s: &str) -> String {
    if let Some((head, last)) = s.rsplit_once(' ')
        && let Some((_, off)) = ZONES.iter().find(|(z, _)| z.eq_ignore_ascii_case(last))
    {
        return format!("{head} {off}");
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("Mon, 13 Oct 2025 09:30:00 +0000", "2025-10-13T09:30:00+00:00")]
    #[case("13 Oct 2025 09:30:00 GMT", "2025-10-13T09:30:00+00:00")]
    #[case("Mon, 13 Oct 2025 09:30:00 PDT", "2025-10-13T16:30:00+00:00")]
    #[case("Tue, 13 Oct 2025 09:30:00 +0000", "2025-10-13T09:30:00+00:00")] // wrong weekday
    #[case("2025-10-13T09:30:00+02:00", "2025-10-13T07:30:00+00:00")]
    #[case("2025-10-13T09:30:00", "2025-10-13T09:30:00+00:00")]
    #[case("2025-10-13", "2025-10-13T00:00:00+00:00")]
    #[case("  Mon, 13 Oct 2025 09:30:00 +0000   ", "2025-10-13T09:30:00+00:00")]
    #[case("Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T22:42:40+00:00")]
    #[case("Mi, 15 Okt 2025 08:00:00 +0200", "2025-10-15T06:00:00+00:00")]
    #[case("October 29, 2025", "2025-10-29T00:00:00+00:00")]
    #[case("Oct 29, 2025", "2025-10-29T00:00:00+00:00")]
    #[case("29 octobre 2025", "2025-10-29T00:00:00+00:00")]
    fn parses(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(
            parse_date(input).map(|d| d.to_rfc3339()),
            Some(expected.to_string()),
            "{input}"
        );
    }

    #[rstest]
    #[case("")]
    #[case("yesterday-ish")]
    #[case("32 Foo 2025")]
    fn rejects(#[case] input: &str) {
        assert_eq!(parse_date(input), None);
    }

    #[test]
    fn yearless_dates_take_the_latest_past_year() {
        let now = Utc.with_ymd_and_hms(2025, 11, 2, 0, 0, 0).unwrap();
        assert_eq!(
            parse_human_date("Oct 29", now).unwrap().to_rfc3339(),
            "2025-10-29T00:00:00+00:00"
        );
        assert_eq!(
            parse_human_date("Dec 29", now).unwrap().to_rfc3339(),
            "2024-12-29T00:00:00+00:00"
        );
    }
}
