//! Advertising the digest never shows (unless `--include-sponsored`): sightings the parser
//! flagged sponsored, titles marked as sponsored or as job ads by any kind of source, and house
//! ads (a newsletter linking the same page issue after issue).

use crate::model::EntryKind;
use crate::model::Story;
use regex::Regex;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

/// A link one newsletter carries in at least this many issues is the newsletter's own
/// advertising ("Get Your Weekly Dose of Programming"), not news.
pub(crate) const HOUSE_AD_ISSUES: usize = 4;

static SPONSOR_TITLE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // "Sponsored: …", "Sponsor | …", "Sponsored post – …", "Sponsored by Acme: …".
        r"(?i)^\s*(sponsor(ed)?( post| content| link| by [^:|]{1,40})?|advertisement|promoted|paid post|partner content)\s*([:|–—]|\s-\s)",
        r"(?i)^\s*ad\s*:",
        // "[Sponsor] …", "(Ad) …", "… [Sponsored]".
        r"(?i)^\s*[\[(]\s*(sponsor(ed)?|ad|advert(isement)?|promoted|partner)\s*[\])]",
        r"(?i)[\[(]\s*(sponsor(ed)?|ad|advert(isement)?|promoted)\s*[\])]\s*$",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("sponsor patterns are valid"))
    .collect()
});

static JOB_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    // "Job: Senior Django developer", "[Hiring] …", "We're hiring: …".
    Regex::new(r"(?i)^\s*([\[(]\s*(job|jobs|hiring)\s*[\])]|(job|jobs|hiring|we're hiring|we are hiring|now hiring)\s*[:|–—])")
        .expect("job pattern is valid")
});

/// True when a title marks its item as a job ad.
pub(crate) fn is_job_title(title: &str) -> bool {
    JOB_TITLE.is_match(title)
}

/// True when a title marks its item as sponsored.
pub(crate) fn is_sponsor_title(title: &str) -> bool {
    SPONSOR_TITLE.iter().any(|re| re.is_match(title))
}

/// True when one newsletter linked the story in [`HOUSE_AD_ISSUES`] or more issues (counted
/// by distinct publication time of its sightings).
pub(crate) fn is_house_ad(story: &Story) -> bool {
    let mut issues: HashMap<&str, BTreeSet<Option<chrono::DateTime<chrono::Utc>>>> = HashMap::new();
    for s in story.sightings.iter().filter(|s| s.kind == EntryKind::Link) {
        issues.entry(&s.source).or_default().insert(s.published);
    }
    issues.values().any(|d| d.len() >= HOUSE_AD_ISSUES)
}

/// True when any sighting of the story is an ad: flagged sponsored, a sponsor or job-ad title,
/// or a house ad.
pub(crate) fn is_ad(story: &Story) -> bool {
    story.sightings.iter().any(|s| {
        s.sponsored
            || s.title
                .as_deref()
                .is_some_and(|t| is_sponsor_title(t) || is_job_title(t))
    }) || is_house_ad(story)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("Sponsored: Try Acme Cloud", true)]
    #[case("Sponsored by Acme: faster CI", true)]
    #[case("SPONSOR | Acme", true)]
    #[case("Sponsored post - Acme", true)]
    #[case("[Sponsor] Acme monitoring", true)]
    #[case("(Ad) Acme", true)]
    #[case("Ad: Acme", true)]
    #[case("Acme monitoring for Django [Sponsored]", true)]
    #[case("Ad-hoc polymorphism in Python", false)]
    #[case("Sponsorship and the PSF", false)]
    #[case("How we sponsored PyCon", false)]
    #[case("Advertisement detection with scikit-learn", false)]
    fn sponsor_titles(#[case] title: &str, #[case] expected: bool) {
        assert_eq!(is_sponsor_title(title), expected, "{title}");
    }

    #[rstest]
    #[case("Job: Senior Django developer (remote)", true)]
    #[case("[Hiring] Data engineer at Acme", true)]
    #[case("We're hiring: Python developers", true)]
    #[case("Jobs | Backend engineer", true)]
    #[case("Job queues with Celery", false)]
    #[case("Hiring your first Python developer", false)]
    fn job_titles(#[case] title: &str, #[case] expected: bool) {
        assert_eq!(is_job_title(title), expected, "{title}");
    }
}
