//! The simulated world of a scenario: the Örebro configuration, an engine over a SQLite
//! file, a simulated clock that only moves forward, meetings run phase by phase, and the
//! end of a run — timeline, outbox, reopening and rebuilding.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail, ensure};
use arende::aggregate::{Aggregate, fold};
use arende::assignment::Assignment;
use arende::authz::Actor;
use arende::calls::WithEffects;
use arende::clock::{Clock, SimulatedClock};
use arende::command::Effects;
use arende::engine::Engine;
use arende::ids::{BodyId, CommandId, MatterId, MeetingId, PersonId};
use arende::matter::Matter;
use arende::meeting::{
    AdjustmentMeans, AgendaItem, Attendance, Document, ItemKind, Meeting, MeetingRecord,
    MinutesDraft, NoticeInput, Paragraph,
};
use arende::notification::Notification;
use arende::org::{Organisation, PlannedMeeting, Role};
use arende::sqlite::SqliteStore;
use arende::store::{EventStore, Outbox, RecordedEvent, StreamId};
use chrono::NaiveDate;

use super::timeline::{Line, Note, NoteKind, Sent, timeline};

/// The engine the examples run: SQLite on disk, simulated time.
pub type SimEngine = Engine<SqliteStore, Arc<SimulatedClock>>;

/// The Örebro configuration (`config/orebro.toml`).
pub fn orebro() -> Result<Organisation> {
    // The examples and the root's tests build at the repository's root; a crate's tests
    // that include these scripts (crates/arende-publish) build two levels down.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/config/orebro.toml");
    let nested = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/orebro.toml");
    let path = if Path::new(root).exists() {
        root
    } else {
        nested
    };
    Ok(arende::load_file(path)?)
}

/// A scenario's world: where it stands in simulated time and what it has noted.
pub struct World {
    /// The organisation.
    pub org: Arc<Organisation>,
    /// The simulated clock.
    pub clock: Arc<SimulatedClock>,
    /// The engine over the SQLite file.
    pub engine: SimEngine,
    path: PathBuf,
    _dir: Option<tempfile::TempDir>,
    today: NaiveDate,
    forecasting: bool,
    forecast_days: BTreeSet<NaiveDate>,
    notes: Vec<Note>,
    head: u64,
}

impl World {
    /// Opens the world on `store` (a new SQLite file), or on a file in a temporary
    /// directory, with the clock at `start`.
    pub fn open(store: Option<&Path>, start: NaiveDate) -> Result<World> {
        let (path, dir) = match store {
            Some(p) => {
                ensure!(
                    !p.exists(),
                    "{} finns redan: ge sökvägen till en ny fil (scenariot skriver sina ärenden och sammanträden från början)",
                    p.display()
                );
                (p.to_path_buf(), None)
            }
            None => {
                let dir = tempfile::tempdir().context("kan inte skapa en tillfällig katalog")?;
                (dir.path().join("arende.sqlite"), Some(dir))
            }
        };
        let org = Arc::new(orebro()?);
        let clock = Arc::new(SimulatedClock::at_date(start));
        let store = SqliteStore::open(&path)
            .with_context(|| format!("kan inte öppna {}", path.display()))?;
        let engine = Engine::new(org.clone(), store, clock.clone());
        Ok(World {
            org,
            clock,
            engine,
            path,
            _dir: dir,
            today: start,
            forecasting: false,
            forecast_days: BTreeSet::new(),
            notes: Vec::new(),
            head: 0,
        })
    }

    /// Moves the clock to `date` (09:00 in Örebro). Time only moves forward.
    pub fn at(&mut self, date: NaiveDate) -> Result<()> {
        ensure!(
            date >= self.today,
            "the simulation would go back from {} to {date}",
            self.today
        );
        self.today = date;
        self.clock.set_date(date);
        if self.forecasting {
            self.forecast_days.insert(date);
        }
        Ok(())
    }

    /// From now on (`true`), what happens is simulated on forecast dates: its timeline
    /// lines are marked "prognos".
    pub fn forecasting(&mut self, on: bool) {
        self.forecasting = on;
    }

    /// Today in the simulation.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// A planned meeting of the configuration.
    pub fn meeting(&self, id: &str) -> Result<PlannedMeeting> {
        self.org
            .meeting(&MeetingId::new(id))
            .cloned()
            .with_context(|| format!("meeting {id} is not in the meeting plan"))
    }

    /// The first planned meeting of `body` on or after `date`.
    pub fn meeting_of(&self, body: &BodyId, date: NaiveDate) -> Result<PlannedMeeting> {
        self.org
            .meetings_of(body)
            .find(|m| m.date >= date)
            .cloned()
            .with_context(|| format!("{body} has no planned meeting on or after {date}"))
    }

    /// Notes something that is not an event (a refusal, a forecast) in the timeline.
    pub fn note(&mut self, kind: NoteKind, body: Option<&str>, text: impl Into<String>) {
        let position = self.head();
        self.notes.push(Note {
            date: self.today,
            position,
            kind,
            body: body.map(BodyId::new),
            text: text.into(),
        });
    }

    /// The global position of the last event stored (for ordering notes among events).
    fn head(&mut self) -> u64 {
        while let Ok(batch) = self.engine.store().read_all(self.head, 1000) {
            match batch.last() {
                Some(last) => self.head = last.position,
                None => break,
            }
        }
        self.head
    }

    /// Everyone of a meeting's bodies (members, chairs, secretaries, adjusters,
    /// officials; joint sessions expanded) present, except `absent`.
    pub fn everyone(&self, plan: &PlannedMeeting, absent: &[&str]) -> Attendance {
        let bodies = arende::meeting::expanded_bodies(&self.org, &plan.bodies);
        let absent: Vec<PersonId> = absent.iter().map(|p| PersonId::new(*p)).collect();
        let mut present: Vec<PersonId> = Vec::new();
        for m in &self.org.memberships {
            if bodies.contains(&m.body)
                && m.role != Role::Substitute
                && !absent.contains(&m.person)
                && !present.contains(&m.person)
            {
                present.push(m.person.clone());
            }
        }
        Attendance {
            present,
            absent,
            substitutes: Vec::new(),
            guests: Vec::new(),
        }
    }

    /// A meeting record of everyone present except `absent`, nothing added or dropped.
    pub fn all_present(&self, plan: &PlannedMeeting, absent: &[&str]) -> MeetingRecord {
        MeetingRecord {
            attendance: self.everyone(plan, absent),
            ..MeetingRecord::default()
        }
    }

    /// Ends the run: reads the timeline back from the store, sends what the outbox
    /// holds (to this report), closes the store, reopens it from the file and rebuilds
    /// every stream from its events, comparing with the state before.
    pub fn finish(self, title: &str, matter: MatterId) -> Result<Run> {
        let records = read_all(self.engine.store())?;
        let lines = timeline(&self.org, &records, &self.notes, &self.forecast_days)?;
        let sent = dispatch(&self.engine)?;

        // The state of every stream as the running engine knows it.
        let streams: BTreeSet<StreamId> = records.iter().map(|r| r.stream.clone()).collect();
        let before = states(&self.engine, &streams)?;
        let matter_before = self.engine.read().matter(matter)?;

        // Close the store, open the file again, rebuild everything from the events.
        let World {
            org,
            clock,
            engine,
            path,
            _dir,
            ..
        } = self;
        drop(engine);
        let store = SqliteStore::open(&path)
            .with_context(|| format!("kan inte öppna {} igen", path.display()))?;
        let matter_stream = SimEngine::stream_of::<Matter>(&matter.to_string());
        let matter_events = store.read_stream(&org.tenant, &matter_stream, 1)?;
        let (rebuilt, _) = fold::<Matter>(&matter_events)?;
        let outbox = store.outbox_counts(&org.tenant)?;
        let reopened = Engine::new(org.clone(), store, clock.clone());
        let after = states(&reopened, &streams)?;
        let loaded = reopened.read().matter(matter)?;
        ensure!(
            loaded == rebuilt,
            "the engine's fold and a plain fold of the stream disagree"
        );
        let changed: Vec<String> = before
            .iter()
            .filter(|(k, v)| after.get(*k) != Some(*v))
            .map(|(k, _)| k.to_string())
            .collect();
        Ok(Run {
            title: title.to_owned(),
            store: if _dir.is_some() {
                None
            } else {
                Some(path.clone())
            },
            lines,
            sent,
            matter_before,
            matter_after: rebuilt,
            matter_events: matter_events.len(),
            events: records.len(),
            streams: streams.len(),
            changed,
            outbox,
            org,
        })
    }
}

/// Every event of the store, in commit order.
fn read_all(store: &SqliteStore) -> Result<Vec<RecordedEvent>> {
    let mut out: Vec<RecordedEvent> = Vec::new();
    loop {
        let after = out.last().map_or(0, |r| r.position);
        let batch = store.read_all(after, 1000)?;
        if batch.is_empty() {
            return Ok(out);
        }
        out.extend(batch);
    }
}

/// A stream's state in a comparable form.
#[derive(Debug, PartialEq)]
enum State {
    Matter(Box<Matter>),
    Meeting(Box<Meeting>),
    Assignment(Box<Assignment>),
    Other(u64),
}

fn states(engine: &SimEngine, streams: &BTreeSet<StreamId>) -> Result<BTreeMap<StreamId, State>> {
    let mut out = BTreeMap::new();
    for s in streams {
        let name = s.as_str();
        let state = if let Some(key) = name.strip_prefix(&format!("{}-", Matter::PREFIX)) {
            State::Matter(Box::new(engine.read().state::<Matter>(key)?.0))
        } else if let Some(key) = name.strip_prefix(&format!("{}-", Meeting::PREFIX)) {
            State::Meeting(Box::new(engine.read().state::<Meeting>(key)?.0))
        } else if let Some(key) = name.strip_prefix(&format!("{}-", Assignment::PREFIX)) {
            State::Assignment(Box::new(engine.read().state::<Assignment>(key)?.0))
        } else {
            let events = engine.store().read_stream(&engine.org().tenant, s, 1)?;
            State::Other(events.last().map_or(0, |e| e.version))
        };
        out.insert(s.clone(), state);
    }
    Ok(out)
}

/// Takes every message from the outbox, as a dispatcher would, and marks it delivered
/// (here the "transport" is the report; `arende-notify` delivers by e-mail, webhook or
/// NATS).
fn dispatch(engine: &SimEngine) -> Result<Vec<Sent>> {
    let store = engine.store();
    let now = engine.clock().now();
    let mut out = Vec::new();
    loop {
        let claimed = store.claim(now, chrono::Duration::minutes(5), 500)?;
        if claimed.is_empty() {
            break;
        }
        for rec in claimed {
            let n: Notification =
                serde_json::from_str(&rec.message.payload).with_context(|| {
                    format!("outbox message {} is not a notification", rec.message.id)
                })?;
            store.mark_delivered(rec.message.id)?;
            out.push(Sent::of(&n, rec.message.available_at, engine.org()));
        }
    }
    out.sort_by_key(|s| (s.date, s.at));
    Ok(out)
}

/// The result of a scenario.
pub struct Run {
    /// The scenario's title.
    pub title: String,
    /// The SQLite file, when the caller gave one (a temporary file is gone by now).
    pub store: Option<PathBuf>,
    /// The timeline, in date order.
    pub lines: Vec<Line>,
    /// The notifications that went out, in date order.
    pub sent: Vec<Sent>,
    /// The matter as the engine knew it before the store was closed.
    pub matter_before: Matter,
    /// The matter rebuilt from its events after the store was reopened.
    pub matter_after: Matter,
    /// How many events the matter's stream holds.
    pub matter_events: usize,
    /// How many events the store holds.
    pub events: usize,
    /// How many streams (matters, meetings, assignments) the store holds.
    pub streams: usize,
    /// Streams whose rebuilt state differs from the state before (should be none).
    pub changed: Vec<String>,
    /// The outbox after reopening, per status.
    pub outbox: BTreeMap<String, u64>,
    /// The organisation, for names.
    pub org: Arc<Organisation>,
}

impl Run {
    /// The first timeline line of event (or note) type `what` at `body`.
    pub fn line(&self, what: &str, body: &str) -> Option<&Line> {
        self.lines
            .iter()
            .find(|l| l.what == what && l.body.as_ref().is_some_and(|b| b.as_str() == body))
    }

    /// Every timeline line of type `what`.
    pub fn lines_of<'a>(&'a self, what: &'a str) -> impl Iterator<Item = &'a Line> + 'a {
        self.lines.iter().filter(move |l| l.what == what)
    }

    /// Whether the rebuilt matter and every other stream equal the state before.
    pub fn nothing_lost(&self) -> bool {
        self.matter_before == self.matter_after
            && self.changed.is_empty()
            && self.outbox.get("pending").copied().unwrap_or(0) == 0
    }
}

/// A meeting run phase by phase by its secretary: call for matters, notice, the meeting
/// itself, minutes, adjustment, distribution. Each phase moves the clock to its day.
pub struct MeetingRun {
    /// The planned meeting.
    pub plan: PlannedMeeting,
    secretary: Actor,
}

impl MeetingRun {
    /// The meeting `id` of the plan, run by `secretary`.
    pub fn new(w: &World, id: &str, secretary: &str) -> Result<MeetingRun> {
        Ok(MeetingRun {
            plan: w.meeting(id)?,
            secretary: super::person(secretary),
        })
    }

    /// The meeting's id.
    pub fn id(&self) -> &MeetingId {
        &self.plan.id
    }

    /// Sends the call for matters on its day (one month before).
    pub fn call(&self, w: &mut World) -> Result<()> {
        w.at(self.plan.call_for_matters)?;
        w.engine
            .send_call_for_matters(&self.secretary, CommandId::random(), &self.plan.id)?;
        Ok(())
    }

    /// Sends the notice with the agenda and documents on its day (two weeks before).
    pub fn notice(
        &self,
        w: &mut World,
        agenda: Vec<AgendaItem>,
        documents: Vec<Document>,
        expectations: Option<&str>,
    ) -> Result<()> {
        w.at(self.plan.notice)?;
        w.engine.send_notice(
            &self.secretary,
            CommandId::random(),
            &self.plan.id,
            NoticeInput {
                agenda,
                documents,
                expectations: expectations.map(str::to_owned),
                substitutes_called: Vec::new(),
            },
        )?;
        Ok(())
    }

    /// Records the meeting as held on its day (attendance, items added and dropped),
    /// and the draft minutes.
    pub fn held(&self, w: &mut World, record: MeetingRecord, minutes: Minutes) -> Result<()> {
        w.at(self.plan.date)?;
        let held = w.engine.record_meeting_held(
            &self.secretary,
            CommandId::random(),
            &self.plan.id,
            record,
        )?;
        check(held)?;
        let secretary = self
            .secretary
            .person()
            .cloned()
            .context("the secretary is a person")?;
        w.engine.draft_minutes(
            &self.secretary,
            CommandId::random(),
            &self.plan.id,
            MinutesDraft {
                chair: PersonId::new(minutes.chair),
                secretary,
                adjusters: super::ids(&minutes.adjusters),
                paragraphs: minutes.paragraphs,
            },
        )?;
        Ok(())
    }

    /// An adjuster adjusts the protocol by e-mail on `on`: it becomes final and its
    /// decisions take effect on their matters.
    pub fn adjust(&self, w: &mut World, adjuster: &str, on: NaiveDate) -> Result<()> {
        w.at(on)?;
        let done = w.engine.adjust_minutes(
            &super::person(adjuster),
            CommandId::random(),
            &self.plan.id,
            arende::meeting::Adjustment {
                on,
                means: AdjustmentMeans::Email,
            },
        )?;
        check(done)
    }

    /// Distributes the minutes on `on`: notes become final and take effect.
    pub fn distribute(&self, w: &mut World, on: NaiveDate) -> Result<()> {
        w.at(on)?;
        let done =
            w.engine
                .distribute_minutes(&self.secretary, CommandId::random(), &self.plan.id)?;
        check(done)
    }
}

/// What the secretary writes in the minutes.
pub struct Minutes {
    /// The chair (ordförande).
    pub chair: &'static str,
    /// The adjusters (justerare); none for notes.
    pub adjusters: Vec<&'static str>,
    /// The paragraphs.
    pub paragraphs: Vec<Paragraph>,
}

/// Fails when final minutes could not be applied to a matter or assignment.
fn check(done: WithEffects) -> Result<()> {
    if let Some(Effects { failures, .. }) = &done.effects
        && !failures.is_empty()
    {
        let list: Vec<String> = failures
            .iter()
            .map(|f| format!("{} ({}): {}", f.at, f.effect, f.error))
            .collect();
        bail!("the minutes could not take effect: {}", list.join("; "));
    }
    Ok(())
}

/// The step ids a matter has completed, in order.
pub fn done_steps(m: &Matter) -> Vec<&str> {
    m.done.iter().map(|o| o.step.as_str()).collect()
}

/// The agenda of the preparatory group's meeting on 15 October 2024 (minutes 000), with
/// item `item` presented by `presenter` and linked to `matter`. Both the family-centre
/// and the unbroken-schooling scenarios pass through this meeting.
pub fn sbu_agenda_2024_10_15(item: u32, presenter: &str, matter: MatterId) -> Vec<AgendaItem> {
    const ITEMS: [&str; 9] = [
        "Välkommen",
        "Presentation",
        "Föregående protokoll, 23 maj",
        "Förslag till uppdragsbeskrivning för samverkansgrupp barn och unga",
        "Se över datum för kommande möten samt möjlighet till ersättare",
        "TSI – uppdatering av nuläge",
        "Förslag till överenskommelse inom kommuner gällande obruten skolgång för placerade barn",
        "Förslag till överenskommelse om regional samverkan för familjecentraler",
        "Övriga frågor",
    ];
    (1..)
        .zip(ITEMS)
        .map(|(n, title)| {
            let agenda_item = AgendaItem::new(n, title, ItemKind::Discussion);
            if n == item {
                agenda_item.presented_by(presenter).matter(matter)
            } else {
                agenda_item
            }
        })
        .collect()
}
