//! Calendar arithmetic in the configured time zone: ISO weeks, day ranges, and the parsers for
//! the date and week values `digest`, `export`, `stories` and `search` accept.
//!
//! Errors are typed and describe the value; the command that read it adds which argument it was.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// What is wrong with a date, time or week value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CalendarError {
    /// Not `YYYY-Www`.
    #[error("invalid week {0:?}: use the ISO form YYYY-Www, e.g. 2025-W42")]
    WeekSyntax(String),
    /// A week number the year does not have.
    #[error("invalid week {input:?}: {year} has weeks 1 to {last}")]
    NoSuchWeek {
        /// The value as given.
        input: String,
        /// Its year.
        year: i32,
        /// The year's last ISO week.
        last: u32,
    },
    /// Not `A..B` with both ends present.
    #[error("invalid weeks {0:?}: use YYYY-Www or YYYY-Www..YYYY-Www, e.g. 2025-W40..2025-W43")]
    WeeksSyntax(String),
    /// `A..B` with `B` before `A`.
    #[error("invalid weeks {input:?}: {last} comes before {first}")]
    WeeksReversed {
        /// The value as given.
        input: String,
        /// The first week's label.
        first: String,
        /// The last week's label.
        last: String,
    },
    /// Not `YYYY-MM-DD`.
    #[error("invalid date {0:?}: use YYYY-MM-DD, e.g. 2025-10-13")]
    DaySyntax(String),
    /// Neither `YYYY-MM-DD` nor RFC 3339.
    #[error("invalid date {0:?}: use YYYY-MM-DD or RFC 3339")]
    DateSyntax(String),
    /// Neither a date, a time nor an age.
    #[error(
        "cannot read {0:?} as a time: use YYYY-MM-DD, RFC 3339 (2025-10-14T09:00:00Z), or 12h / 7d / 4w"
    )]
    TimeSyntax(String),
    /// A range whose last day comes before its first.
    #[error("the last day {end} is before the first day {start}")]
    EndBeforeStart {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
    /// A range that starts after now.
    #[error("{what} is in the future (it starts {start} in {tz}); pick a week that has begun")]
    RangeInFuture {
        /// "week 2025-W44" or "2025-11-01 – 2025-11-07".
        what: String,
        /// Its first day.
        start: NaiveDate,
        /// The zone's name.
        tz: String,
    },
    /// A day after today.
    #[error("{day} is in the future (today is {today} in {tz})")]
    DayInFuture {
        /// The day given.
        day: NaiveDate,
        /// Today in the zone.
        today: NaiveDate,
        /// The zone's name.
        tz: String,
    },
    /// A day whose ISO week has not ended.
    #[error("{day}: its week {week} has not ended yet")]
    WeekNotEnded {
        /// The day given.
        day: NaiveDate,
        /// Its week's label.
        week: String,
    },
    /// Local midnight of a day that does not exist in the zone.
    #[error("{day} does not exist in {tz}")]
    NoLocalMidnight {
        /// The value as given.
        day: String,
        /// The zone's name.
        tz: String,
    },
    /// A value chrono cannot represent.
    #[error("{0:?} is out of range")]
    ValueOutOfRange(String),
    /// A computed date chrono cannot represent.
    #[error("date out of range")]
    OutOfRange,
    /// An age (`12h`, `7d`, `4w`) reaching before the representable past.
    #[error("{0:?} is too far back")]
    TooFarBack(String),
}

/// The one RFC 3339 form pydigest writes (stored times, JSON, Atom): UTC, whole seconds, `Z`.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The days a digest covers, and the UTC instants the store is queried with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DigestRange {
    /// First day (local).
    pub start: NaiveDate,
    /// Last day (local, inclusive).
    pub end: NaiveDate,
    /// Local midnight at the start of `start`, in UTC.
    pub since: DateTime<Utc>,
    /// Local midnight after `end`, in UTC (exclusive).
    pub until: DateTime<Utc>,
    /// The zone the days are counted in.
    pub tz: Tz,
    /// The ISO week (year, week), when the range is one.
    pub week: Option<(i32, u32)>,
}

/// Midnight at the start of `date` in `tz`, as UTC (the first valid instant when a DST gap
/// swallows midnight).
pub(crate) fn local_midnight(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut t = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    for _ in 0..4 {
        if let Some(d) = tz.from_local_datetime(&t).earliest() {
            return d.with_timezone(&Utc);
        }
        t += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"))
}

impl DigestRange {
    /// The days `start..=end` in `tz`.
    pub(crate) fn days(
        start: NaiveDate,
        end: NaiveDate,
        tz: Tz,
    ) -> Result<DigestRange, CalendarError> {
        if end < start {
            return Err(CalendarError::EndBeforeStart { start, end });
        }
        let next = end.succ_opt().ok_or(CalendarError::OutOfRange)?;
        Ok(DigestRange {
            start,
            end,
            since: local_midnight(start, tz),
            until: local_midnight(next, tz),
            tz,
            week: None,
        })
    }

    /// ISO week `week` of `year`: Monday 00:00 to the next Monday 00:00 in `tz`.
    pub(crate) fn iso_week(year: i32, week: u32, tz: Tz) -> Option<DigestRange> {
        let monday = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
        let sunday = NaiveDate::from_isoywd_opt(year, week, Weekday::Sun)?;
        let mut r = DigestRange::days(monday, sunday, tz).ok()?;
        r.week = Some((year, week));
        Some(r)
    }

    /// Parses "2025-W42" (case-insensitive, "2025W42" too).
    pub(crate) fn parse_week(s: &str, tz: Tz) -> Result<DigestRange, CalendarError> {
        let bad = || CalendarError::WeekSyntax(s.to_string());
        let t = s.trim().to_ascii_uppercase();
        let (y, w) = t.split_once('W').ok_or_else(bad)?;
        let y = y.strip_suffix('-').unwrap_or(y);
        if y.len() != 4
            || w.is_empty()
            || w.len() > 2
            || !y.bytes().chain(w.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let (year, week): (i32, u32) =
            (y.parse().map_err(|_| bad())?, w.parse().map_err(|_| bad())?);
        DigestRange::iso_week(year, week, tz).ok_or_else(|| CalendarError::NoSuchWeek {
            input: s.to_string(),
            year,
            last: NaiveDate::from_ymd_opt(year, 12, 28).map_or(52, |d| d.iso_week().week()),
        })
    }

    /// The last ISO week that has fully ended at `now` in `tz`.
    pub(crate) fn last_complete_week(now: DateTime<Utc>, tz: Tz) -> DigestRange {
        let today = now.with_timezone(&tz).date_naive();
        let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let iso = (this_monday - Duration::days(7)).iso_week();
        DigestRange::iso_week(iso.year(), iso.week(), tz).expect("a past week exists")
    }

    /// The range itself, unless it starts after `now`.
    pub(crate) fn begun(self, now: DateTime<Utc>) -> Result<DigestRange, CalendarError> {
        if self.since <= now {
            return Ok(self);
        }
        Err(CalendarError::RangeInFuture {
            what: self.week_label().map_or_else(
                || format!("{} – {}", self.start, self.end),
                |w| format!("week {w}"),
            ),
            start: self.start,
            tz: self.tz.name().to_string(),
        })
    }

    /// How many days the range covers.
    pub(crate) fn days_long(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// "October 13–19, 2025", "September 29 – October 5, 2025", "December 29, 2025 – January 4, 2026".
    pub(crate) fn label(&self) -> String {
        date_span(self.start, self.end)
    }

    /// ISO week label like "2025-W42", when the range is a week.
    pub(crate) fn week_label(&self) -> Option<String> {
        self.week.map(|(y, w)| format!("{y}-W{w:02}"))
    }
}

/// Formats a span of days for a title, with an en dash.
pub(crate) fn date_span(start: NaiveDate, end: NaiveDate) -> String {
    let month = |d: NaiveDate| d.format("%B").to_string();
    if start == end {
        format!("{} {}, {}", month(start), start.day(), start.year())
    } else if start.year() != end.year() {
        format!(
            "{} {}, {} – {} {}, {}",
            month(start),
            start.day(),
            start.year(),
            month(end),
            end.day(),
            end.year()
        )
    } else if start.month() != end.month() {
        format!(
            "{} {} – {} {}, {}",
            month(start),
            start.day(),
            month(end),
            end.day(),
            end.year()
        )
    } else {
        format!(
            "{} {}–{}, {}",
            month(start),
            start.day(),
            end.day(),
            end.year()
        )
    }
}

/// Parses a day given as `YYYY-MM-DD`.
pub(crate) fn parse_day(s: &str) -> Result<NaiveDate, CalendarError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| CalendarError::DaySyntax(s.to_string()))
}

/// The ISO weeks of `A..B` (or one week `A`), oldest first. Each end must be a valid week that
/// has begun at `now` in `tz`; `B` must not come before `A`.
pub(crate) fn parse_weeks(
    spec: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<DigestRange>, CalendarError> {
    let (a, b) = match spec.split_once("..") {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (spec.trim(), spec.trim()),
    };
    if a.is_empty() || b.is_empty() {
        return Err(CalendarError::WeeksSyntax(spec.to_string()));
    }
    let first = DigestRange::parse_week(a, tz)?.begun(now)?;
    let last = DigestRange::parse_week(b, tz)?.begun(now)?;
    if last.start < first.start {
        return Err(CalendarError::WeeksReversed {
            input: spec.to_string(),
            first: first.week_label().unwrap_or_default(),
            last: last.week_label().unwrap_or_default(),
        });
    }
    Ok(weeks_between(first.start, last.start, tz))
}

/// Every ISO week from `day`'s week through the last complete week at `now` in `tz`.
pub(crate) fn weeks_since(
    day: NaiveDate,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<DigestRange>, CalendarError> {
    let today = now.with_timezone(&tz).date_naive();
    if day > today {
        return Err(CalendarError::DayInFuture {
            day,
            today,
            tz: tz.name().to_string(),
        });
    }
    let iso = day.iso_week();
    let first =
        DigestRange::iso_week(iso.year(), iso.week(), tz).ok_or(CalendarError::OutOfRange)?;
    let last = DigestRange::last_complete_week(now, tz);
    if first.start > last.start {
        return Err(CalendarError::WeekNotEnded {
            day,
            week: first.week_label().unwrap_or_default(),
        });
    }
    Ok(weeks_between(first.start, last.start, tz))
}

/// The ISO weeks whose Mondays fall in `first_monday..=last_monday`.
pub(crate) fn weeks_between(
    first_monday: NaiveDate,
    last_monday: NaiveDate,
    tz: Tz,
) -> Vec<DigestRange> {
    let mut out = Vec::new();
    let mut monday = first_monday;
    while monday <= last_monday {
        let iso = monday.iso_week();
        if let Some(r) = DigestRange::iso_week(iso.year(), iso.week(), tz) {
            out.push(r);
        }
        monday += Duration::days(7);
    }
    out
}

/// Parses a date as `YYYY-MM-DD` (midnight in `tz`) or RFC 3339.
pub(crate) fn parse_date_or_time(s: &str, tz: Tz) -> Result<DateTime<Utc>, CalendarError> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| CalendarError::DateSyntax(s.to_string()))?;
    tz.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| CalendarError::NoLocalMidnight {
            day: s.to_string(),
            tz: tz.to_string(),
        })
}

/// Parses a bound of a time window: `YYYY-MM-DD` (midnight in `tz`; with `end`, the following
/// midnight so the day is included), RFC 3339 (with `end`, one second later: the bound is
/// exclusive), or `12h` / `7d` / `4w` before `now`.
pub(crate) fn parse_bound(
    s: &str,
    now: DateTime<Utc>,
    tz: Tz,
    end: bool,
) -> Result<DateTime<Utc>, CalendarError> {
    let s = s.trim();
    if let Some(unit) = s.chars().last().filter(|c| matches!(c, 'h' | 'd' | 'w'))
        && let Ok(n) = s[..s.len() - 1].parse::<u32>()
    {
        let n = i64::from(n);
        let ago = match unit {
            'h' => Duration::hours(n),
            'd' => Duration::days(n),
            _ => Duration::weeks(n),
        };
        return now
            .checked_sub_signed(ago)
            .ok_or_else(|| CalendarError::TooFarBack(s.to_string()));
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let day = if end { date.succ_opt() } else { Some(date) };
        return day
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|d| tz.from_local_datetime(&d).earliest())
            .map(|d| d.with_timezone(&Utc))
            .ok_or_else(|| CalendarError::ValueOutOfRange(s.to_string()));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        let t = t.with_timezone(&Utc);
        return Ok(if end { t + Duration::seconds(1) } else { t });
    }
    Err(CalendarError::TimeSyntax(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2025-10-22T10:00:00Z".parse().unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        parse_day(s).unwrap()
    }

    fn labels(r: &[DigestRange]) -> Vec<String> {
        r.iter().filter_map(DigestRange::week_label).collect()
    }

    #[test]
    fn week_ranges() {
        let tz = chrono_tz::Europe::London;
        assert_eq!(
            labels(&parse_weeks("2025-W40..2025-W43", now(), tz).unwrap()),
            ["2025-W40", "2025-W41", "2025-W42", "2025-W43"]
        );
        assert_eq!(
            labels(&parse_weeks("2025-W42", now(), tz).unwrap()),
            ["2025-W42"]
        );
        assert_eq!(
            labels(&parse_weeks("2020-W52..2021-W02", now(), tz).unwrap()),
            ["2020-W52", "2020-W53", "2021-W01", "2021-W02"]
        );
        let err = |s: &str| parse_weeks(s, now(), tz).unwrap_err().to_string();
        assert!(err("2025-W43..2025-W40").contains("comes before"));
        assert!(err("2025-W40..2025-W50").contains("future"));
        assert!(err("2025-W54").contains("weeks 1 to 52"));
        assert!(err("2025-W40..").contains("YYYY-Www"));
        assert!(err("banana").contains("ISO form"));
    }

    #[test]
    fn since_runs_through_the_last_complete_week() {
        let tz = chrono_tz::Europe::London;
        assert_eq!(
            labels(&weeks_since(d("2025-10-01"), now(), tz).unwrap()),
            ["2025-W40", "2025-W41", "2025-W42"]
        );
        assert!(
            weeks_since(d("2025-10-21"), now(), tz)
                .unwrap_err()
                .to_string()
                .contains("not ended")
        );
        assert!(
            weeks_since(d("2025-11-01"), now(), tz)
                .unwrap_err()
                .to_string()
                .contains("future")
        );
        assert!(parse_day("1/10/2025").is_err());
    }

    #[test]
    fn times_parse_as_dates_rfc3339_or_relative() {
        let now = t("2025-10-20T12:00:00Z");
        let utc = Tz::UTC;
        assert_eq!(
            parse_bound("2025-10-14", now, utc, false).unwrap(),
            t("2025-10-14T00:00:00Z")
        );
        assert_eq!(
            parse_bound("2025-10-14", now, utc, true).unwrap(),
            t("2025-10-15T00:00:00Z")
        );
        assert_eq!(
            parse_bound("2025-10-14", now, chrono_tz::Europe::London, false).unwrap(),
            t("2025-10-13T23:00:00Z")
        );
        assert_eq!(
            parse_bound("2025-10-14T09:30:00+02:00", now, utc, false).unwrap(),
            t("2025-10-14T07:30:00Z")
        );
        assert_eq!(
            parse_bound("7d", now, utc, false).unwrap(),
            t("2025-10-13T12:00:00Z")
        );
        assert_eq!(
            parse_bound("2w", now, utc, false).unwrap(),
            t("2025-10-06T12:00:00Z")
        );
        assert_eq!(
            parse_bound("12h", now, utc, false).unwrap(),
            t("2025-10-20T00:00:00Z")
        );
        for bad in ["", "yesterday", "7", "d", "-3d", "2025-13-01", "7y"] {
            assert!(parse_bound(bad, now, utc, false).is_err(), "{bad}");
        }
    }
}
