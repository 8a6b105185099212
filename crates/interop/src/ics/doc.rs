//! A file read twice and joined: our scan (structure, line numbers, raw text)
//! and calcard's parse (typed values, parameters), component by component.

use super::IcsError;
use super::MAX_ICS_BYTES;
use super::scan::{self, Comp, Scan};
use calcard::Entry;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarEntry, ICalendarParameterName, ICalendarParameterValue,
    ICalendarValue,
};

/// A whole file, read.
pub(crate) struct Doc<'a> {
    pub scan: Scan<'a>,
    /// calcard's reading of each top component; `None` for one that is not
    /// iCalendar (a vCard pasted in).
    pub cals: Vec<Option<ICalendar>>,
}

/// One content line: calcard's entry with our line number and raw value.
pub(crate) struct Field<'d> {
    pub entry: &'d ICalendarEntry,
    pub line: usize,
    /// The value as written (for messages and for rules, which the core reads).
    pub raw: &'d str,
}

impl<'d> Field<'d> {
    /// The property name, upper-case.
    pub fn name(&self) -> &'d str {
        self.entry.name.as_str()
    }

    pub fn values(&self) -> &'d [ICalendarValue] {
        &self.entry.values
    }

    /// The first value as text (text, URI or enumerated values).
    pub fn text(&self) -> Option<&'d str> {
        self.entry.values.first().and_then(|v| v.as_text())
    }

    /// The parameter `name` as text.
    pub fn param(&self, name: &ICalendarParameterName) -> Option<&'d str> {
        self.entry
            .params
            .iter()
            .find(|p| &p.name == name)
            .and_then(|p| p.value.as_text())
    }

    /// The value of an `X-` (or otherwise unknown) parameter.
    pub fn other_param(&self, name: &str) -> Option<&'d str> {
        self.entry.params.iter().find_map(|p| match (&p.name, &p.value) {
            (ICalendarParameterName::Other(n), ICalendarParameterValue::Text(v))
                if n.eq_ignore_ascii_case(name) =>
            {
                Some(v.as_str())
            }
            _ => None,
        })
    }

    pub fn param_value(&self, name: &ICalendarParameterName) -> Option<&'d ICalendarParameterValue> {
        self.entry
            .params
            .iter()
            .find(|p| &p.name == name)
            .map(|p| &p.value)
    }
}

/// One component of the file, both readings side by side.
pub(crate) struct Node<'d> {
    pub top: usize,
    pub index: usize,
    pub comp: &'d Comp<'d>,
    pub ical: &'d ICalendarComponent,
}

impl<'d> Node<'d> {
    pub fn name(&self) -> &'d str {
        &self.comp.name
    }

    pub fn line(&self) -> usize {
        self.comp.line
    }

    /// The content lines, each joined to the line it was read from.
    ///
    /// calcard keeps the entries of a component in file order but drops lines
    /// it cannot read, so each entry is paired with the next unused line of the
    /// same name rather than by position.
    pub fn fields(&self) -> Vec<Field<'d>> {
        let props = &self.comp.props;
        let mut used = vec![false; props.len()];
        let mut out = Vec::with_capacity(self.ical.entries.len());
        let mut cursor = 0;
        for entry in &self.ical.entries {
            let name = entry.name.as_str();
            let found = (cursor..props.len())
                .chain(0..cursor)
                .find(|&i| !used[i] && props[i].name().trim().eq_ignore_ascii_case(name));
            let (line, raw) = match found {
                Some(i) => {
                    used[i] = true;
                    cursor = i + 1;
                    (props[i].line, props[i].value())
                }
                None => (self.comp.line, ""),
            };
            out.push(Field { entry, line, raw });
        }
        out
    }
}

impl<'a> Doc<'a> {
    /// Reads `text`: refuses what is too big or is not iCalendar at all.
    pub fn read(text: &'a str) -> Result<Doc<'a>, IcsError> {
        if text.len() > MAX_ICS_BYTES {
            return Err(IcsError::file(format!(
                "the file is {:.1} MB; at most {} MB of iCalendar is accepted",
                text.len() as f64 / (1024.0 * 1024.0),
                MAX_ICS_BYTES / (1024 * 1024)
            )));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let scan = scan::scan(text)?;
        let calendarish = |name: &str| {
            matches!(
                name,
                "VCALENDAR" | "VEVENT" | "VTODO" | "VJOURNAL" | "VFREEBUSY" | "VTIMEZONE"
            )
        };
        if !scan.tops.iter().any(|t| calendarish(&t.comps[0].name)) {
            return Err(IcsError::file(
                "this is not an iCalendar file: it has no BEGIN:VCALENDAR (nor BEGIN:VEVENT)",
            ));
        }
        let mut cals = Vec::with_capacity(scan.tops.len());
        for top in &scan.tops {
            let first = &top.comps[0];
            if !calendarish(&first.name) && !first.name.starts_with("X-") {
                cals.push(None);
                continue;
            }
            let mut parser = calcard::Parser::new(top.text);
            let cal = match parser.entry() {
                Entry::ICalendar(cal) => cal,
                _ => {
                    return Err(IcsError::at(
                        first.line,
                        None,
                        format!("{} could not be read as iCalendar", first.name),
                    ));
                }
            };
            // Both readings number components in the order their BEGINs appear;
            // were they ever to disagree, line numbers would lie, so refuse.
            let agree = cal.components.len() == top.comps.len()
                && cal
                    .components
                    .iter()
                    .zip(&top.comps)
                    .all(|(c, s)| c.component_type.as_str().eq_ignore_ascii_case(&s.name));
            if !agree {
                return Err(IcsError::at(
                    first.line,
                    None,
                    format!("the structure of {} could not be read consistently", first.name),
                ));
            }
            cals.push(Some(cal));
        }
        Ok(Doc { scan, cals })
    }

    /// Every component of every top component that calcard read, in file order.
    pub fn nodes(&self) -> impl Iterator<Item = Node<'_>> {
        self.scan
            .tops
            .iter()
            .zip(&self.cals)
            .enumerate()
            .filter_map(|(t, (top, cal))| cal.as_ref().map(|c| (t, top, c)))
            .flat_map(|(t, top, cal)| {
                top.comps
                    .iter()
                    .zip(&cal.components)
                    .enumerate()
                    .map(move |(index, (comp, ical))| Node {
                        top: t,
                        index,
                        comp,
                        ical,
                    })
            })
    }

    /// The component `index` of top component `top`.
    pub fn comp(&self, top: usize, index: usize) -> Option<&Comp<'a>> {
        self.scan.tops.get(top).and_then(|t| t.comps.get(index))
    }
}
