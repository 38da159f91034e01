// Package calendar knows which days are Danish bank days (RULE CAL-1) and
// computes the dates that depend on them: moving a payment off a non-bank
// day, counting bank days, and the deadline of a right of withdrawal
// (RULE CONTR-2).
//
// # Dates
//
// A date is a civil date represented as a time.Time at midnight UTC; Date and
// ParseDate make one, and Day turns any instant into the date it has in
// Denmark (Europe/Copenhagen). Functions that take a date use only its year,
// month and day as the time.Time itself reports them (t.Date()); the clock
// time and the location are ignored. Dates returned are at midnight UTC,
// except where a function's documentation says it returns its argument
// unchanged.
//
// # Bank days
//
// A bank day is any day except Saturdays, Sundays, public holidays, the
// Friday after Ascension Day, Constitution Day (5 June), Christmas Eve
// (24 December) and New Year's Eve (31 December). The public holidays are New
// Year's Day, Maundy Thursday, Good Friday, Easter Sunday, Easter Monday,
// Ascension Day (Easter + 39 days), Whit Sunday and Whit Monday (Easter + 49
// and + 50 days), Christmas Day and Boxing Day.
//
// Store Bededag (Great Prayer Day, the fourth Friday after Easter, Easter + 26
// days) was a public holiday up to and including 2023 and was abolished by
// law from 2024. It is therefore a non-bank day in years up to and including
// 2023 and an ordinary bank day from 2024 on.
//
// When two reasons fall on the same date (Whit Sunday or Whit Monday can fall
// on 5 June), the public holiday's name is reported; a holiday on a Saturday
// or Sunday is reported by the holiday's name, not the weekday's.
//
// # Supported range
//
// The bank supports the years 1900–2200 (see InRange). The functions compute
// answers outside that range too, but Days refuses it, and callers taking
// dates from users should check InRange.
package calendar

import (
	"sync/atomic"
	"time"
	_ "time/tzdata" // Europe/Copenhagen must load even where the OS has no zoneinfo.

	"github.com/netbank/netbank"
)

// Supported range of years, inclusive.
const (
	// MinYear is the first year the bank supports.
	MinYear = 1900
	// MaxYear is the last year the bank supports.
	MaxYear = 2200
)

// Right-of-withdrawal periods in calendar days (RULE CONTR-2).
const (
	// WithdrawalDays is the normal right-of-withdrawal period for distance
	// agreements.
	WithdrawalDays = 14
	// PensionWithdrawalDays is the period for individual pension schemes
	// (aldersopsparing, ratepension).
	PensionWithdrawalDays = 30
)

// MaxSpanYears is the longest period Days returns, in years.
const MaxSpanYears = 3

// copenhagen is the bank's time zone; a civil date in Denmark is a date here.
var copenhagen = mustLoadLocation("Europe/Copenhagen")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Cannot happen: time/tzdata embeds the zone database.
		panic("calendar: loading " + name + ": " + err.Error())
	}
	return loc
}

// Date returns the civil date y-m-d as a time.Time at midnight UTC. Values out
// of range are normalized as by time.Date (31 April becomes 1 May).
func Date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDate parses a date written as YYYY-MM-DD (e.g. "2024-03-31") into a
// civil date at midnight UTC. Anything else, including impossible dates such
// as 2023-02-29, is an EINVALID error.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, netbank.Errorf(netbank.EINVALID,
			"Ugyldig dato %q: brug formatet ÅÅÅÅ-MM-DD, f.eks. 2024-03-31", s)
	}
	return t, nil
}

// Day returns the civil date that the instant t has in Denmark
// (Europe/Copenhagen), as a time.Time at midnight UTC. For example
// 2024-06-30 22:30 UTC is 2024-07-01 00:30 in Copenhagen, so Day returns
// 2024-07-01.
func Day(t time.Time) time.Time {
	y, m, d := t.In(copenhagen).Date()
	return Date(y, m, d)
}

// civil returns d's civil date at midnight UTC (dropping clock and location).
func civil(d time.Time) time.Time {
	y, m, dd := d.Date()
	return Date(y, m, dd)
}

// InRange reports whether d's year is within the supported range
// MinYear–MaxYear (1900–2200), inclusive.
func InRange(d time.Time) bool {
	y := d.Year()
	return y >= MinYear && y <= MaxYear
}

// holiday identifies a day that is not a bank day for a reason other than
// being a Saturday or Sunday.
type holiday uint8

const (
	noHoliday holiday = iota
	newYearsDay
	maundyThursday
	goodFriday
	easterSunday
	easterMonday
	greatPrayerDay
	ascensionDay
	fridayAfterAscension
	whitSunday
	whitMonday
	constitutionDay
	christmasEve
	christmasDay
	boxingDay
	newYearsEve
	saturday
	sunday
)

var danishNames = [...]string{
	noHoliday:            "",
	newYearsDay:          "Nytårsdag",
	maundyThursday:       "Skærtorsdag",
	goodFriday:           "Langfredag",
	easterSunday:         "Påskedag",
	easterMonday:         "2. påskedag",
	greatPrayerDay:       "Store bededag",
	ascensionDay:         "Kristi himmelfartsdag",
	fridayAfterAscension: "Fredag efter Kristi himmelfartsdag",
	whitSunday:           "Pinsedag",
	whitMonday:           "2. pinsedag",
	constitutionDay:      "Grundlovsdag",
	christmasEve:         "Juleaftensdag",
	christmasDay:         "Juledag",
	boxingDay:            "2. juledag",
	newYearsEve:          "Nytårsaftensdag",
	saturday:             "Lørdag",
	sunday:               "Søndag",
}

var englishNames = [...]string{
	noHoliday:            "",
	newYearsDay:          "New Year's Day",
	maundyThursday:       "Maundy Thursday",
	goodFriday:           "Good Friday",
	easterSunday:         "Easter Sunday",
	easterMonday:         "Easter Monday",
	greatPrayerDay:       "Great Prayer Day",
	ascensionDay:         "Ascension Day",
	fridayAfterAscension: "Friday after Ascension Day",
	whitSunday:           "Whit Sunday",
	whitMonday:           "Whit Monday",
	constitutionDay:      "Constitution Day",
	christmasEve:         "Christmas Eve",
	christmasDay:         "Christmas Day",
	boxingDay:            "Boxing Day",
	newYearsEve:          "New Year's Eve",
	saturday:             "Saturday",
	sunday:               "Sunday",
}

// yearTable holds the holidays of one year, indexed by day of the year - 1.
type yearTable [366]holiday

// tables caches the yearTable of every supported year; entries are built on
// first use. Years outside the range are computed on every call.
var tables [MaxYear - MinYear + 1]atomic.Pointer[yearTable]

// tableFor returns the holidays of the given year.
func tableFor(year int) *yearTable {
	if year < MinYear || year > MaxYear {
		return buildTable(year)
	}
	slot := &tables[year-MinYear]
	if t := slot.Load(); t != nil {
		return t
	}
	t := buildTable(year)
	// Two goroutines may build the same table; both results are equal.
	slot.Store(t)
	return t
}

// buildTable computes the holidays of a year (RULE CAL-1).
func buildTable(year int) *yearTable {
	t := new(yearTable)
	set := func(d time.Time, h holiday) { t[d.YearDay()-1] = h }
	easter := Easter(year)
	rel := func(days int) time.Time { return easter.AddDate(0, 0, days) }

	// Bank closing days that are not public holidays go first, so that a
	// public holiday on the same date (Whit Sunday/Monday on 5 June) wins.
	set(Date(year, time.June, 5), constitutionDay)
	set(Date(year, time.December, 24), christmasEve)
	set(Date(year, time.December, 31), newYearsEve)
	set(rel(40), fridayAfterAscension)

	set(Date(year, time.January, 1), newYearsDay)
	set(rel(-3), maundyThursday)
	set(rel(-2), goodFriday)
	set(easter, easterSunday)
	set(rel(1), easterMonday)
	if year <= 2023 {
		// Store Bededag was abolished from 2024.
		set(rel(26), greatPrayerDay)
	}
	set(rel(39), ascensionDay)
	set(rel(49), whitSunday)
	set(rel(50), whitMonday)
	set(Date(year, time.December, 25), christmasDay)
	set(Date(year, time.December, 26), boxingDay)
	return t
}

// reason returns why d is not a bank day, or noHoliday if it is one.
func reason(d time.Time) holiday {
	if h := tableFor(d.Year())[d.YearDay()-1]; h != noHoliday {
		return h
	}
	switch d.Weekday() {
	case time.Saturday:
		return saturday
	case time.Sunday:
		return sunday
	}
	return noHoliday
}

// IsBankDay reports whether d is a Danish bank day (RULE CAL-1): not a
// Saturday or Sunday, not a public holiday, and not one of the extra closing
// days (Friday after Ascension Day, 5 June, 24 December, 31 December; Store
// Bededag up to and including 2023).
func IsBankDay(d time.Time) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return tableFor(d.Year())[d.YearDay()-1] == noHoliday
}

// Reason returns "" if d is a bank day, and otherwise the Danish name of the
// reason it is not: the holiday's name ("Juledag", "Fredag efter Kristi
// himmelfartsdag", …) even when it falls on a weekend, else "Lørdag" or
// "Søndag".
func Reason(d time.Time) string {
	return danishNames[reason(d)]
}

// ReasonEnglish is Reason in English: "" for a bank day, else e.g.
// "Christmas Day", "Friday after Ascension Day", "Saturday".
func ReasonEnglish(d time.Time) string {
	return englishNames[reason(d)]
}

// NextBankDay returns the first bank day strictly after d's date, at midnight
// UTC. NextBankDay of a Friday that is a bank day is the following Monday (if
// that is a bank day); it never returns d's own date.
func NextBankDay(d time.Time) time.Time {
	t := civil(d)
	for {
		t = t.Add(24 * time.Hour) // UTC has no daylight saving time.
		if IsBankDay(t) {
			return t
		}
	}
}

// PreviousBankDay returns the last bank day strictly before d's date, at
// midnight UTC.
func PreviousBankDay(d time.Time) time.Time {
	t := civil(d)
	for {
		t = t.Add(-24 * time.Hour)
		if IsBankDay(t) {
			return t
		}
	}
}

// OnOrAfter returns d unchanged if it is a bank day, and otherwise the next
// bank day after it (at midnight UTC). Use it to move something due on a
// non-bank day, e.g. a payment dated Saturday is executed on Monday.
func OnOrAfter(d time.Time) time.Time {
	if IsBankDay(d) {
		return d
	}
	return NextBankDay(d)
}

// AddBankDays returns the date n bank days after d, at midnight UTC: for
// n > 0 the n-th bank day strictly after d, for n < 0 the |n|-th bank day
// strictly before d, and for n == 0 d itself, unchanged (even if d is not a
// bank day). Counting starts from d whether or not d is a bank day, so
// AddBankDays(saturday, 1) is the first bank day after that Saturday, and for
// n != 0 the result is always a bank day.
func AddBankDays(d time.Time, n int) time.Time {
	if n == 0 {
		return d
	}
	t := civil(d)
	for ; n > 0; n-- {
		t = NextBankDay(t)
	}
	for ; n < 0; n++ {
		t = PreviousBankDay(t)
	}
	return t
}

// DayInfo describes one date: whether it is a bank day and, if not, the
// Danish reason (see Reason).
type DayInfo struct {
	// Date is the civil date at midnight UTC.
	Date time.Time
	// BankDay is true if Date is a bank day.
	BankDay bool
	// Reason is "" for a bank day, else the Danish reason (e.g. "Juledag").
	Reason string
}

// Days returns one DayInfo for every date from from to to, both inclusive, in
// order. It returns an EINVALID error if either date is outside 1900–2200, if
// to is before from, or if the period is longer than MaxSpanYears years (to
// must not be after from + 3 years, as computed by time.Time.AddDate).
func Days(from, to time.Time) ([]DayInfo, error) {
	from, to = civil(from), civil(to)
	const layout = "02.01.2006"
	if !InRange(from) || !InRange(to) {
		return nil, netbank.Errorf(netbank.EINVALID,
			"Datoerne skal ligge mellem 01.01.%d og 31.12.%d", MinYear, MaxYear)
	}
	if to.Before(from) {
		return nil, netbank.Errorf(netbank.EINVALID,
			"Slutdatoen %s ligger før startdatoen %s", to.Format(layout), from.Format(layout))
	}
	if limit := from.AddDate(MaxSpanYears, 0, 0); to.After(limit) {
		return nil, netbank.Errorf(netbank.EINVALID,
			"Perioden må højst være %d år: vælg en slutdato til og med %s",
			MaxSpanYears, limit.Format(layout))
	}
	n := int(to.Sub(from)/(24*time.Hour)) + 1
	out := make([]DayInfo, 0, n)
	for t := from; !t.After(to); t = t.Add(24 * time.Hour) {
		r := reason(t)
		out = append(out, DayInfo{Date: t, BankDay: r == noHoliday, Reason: danishNames[r]})
	}
	return out, nil
}

// WithdrawalDeadline returns the last day of a right of withdrawal
// (fortrydelsesret, RULE CONTR-2), at midnight UTC.
//
// The period of days calendar days (WithdrawalDays, or PensionWithdrawalDays
// for individual pension schemes) counts from the later of the dates signed
// (the agreement was signed or the order placed) and informed (the customer
// received the required information in writing). The last day is that date
// plus days calendar days: signed Monday 1 March with 14 days gives Monday 15
// March. If the last day is not a bank day (Saturday, Sunday, public holiday,
// Constitution Day, Christmas Eve, New Year's Eve, Friday after Ascension
// Day) it moves forward to the next bank day — except for credit agreements
// (credit is true), whose deadline never moves.
func WithdrawalDeadline(signed, informed time.Time, days int, credit bool) time.Time {
	start := civil(signed)
	if i := civil(informed); i.After(start) {
		start = i
	}
	last := start.AddDate(0, 0, days)
	if credit {
		return last
	}
	return OnOrAfter(last)
}
