//! Calendars: meeting plans with call and notice dates, conflicts, iCalendar export.
