package calendar

import (
	"testing"
	"time"

	"github.com/netbank/netbank"
)

// mustDate parses a YYYY-MM-DD date or fails the test.
func mustDate(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// easterTondering is an independent Easter algorithm (Claus Tøndering's
// "Calendar FAQ"), used to cross-check Easter.
func easterTondering(y int) time.Time {
	g := y % 19
	c := y / 100
	h := (c - c/4 - (8*c+13)/25 + 19*g + 15) % 30
	i := h - (h/28)*(1-(29/(h+1))*((21-g)/11))
	j := (y + y/4 + i + 2 - c + c/4) % 7
	l := i - j
	month := 3 + (l+40)/44
	day := l + 28 - 31*(month/4)
	return Date(y, time.Month(month), day)
}

func TestEaster(t *testing.T) {
	// Known dates, checked against published tables.
	tests := []struct {
		name string
		year int
		want string
	}{
		{"1900", 1900, "1900-04-15"},
		{"2000", 2000, "2000-04-23"},
		{"2022 late", 2022, "2022-04-17"},
		{"2023", 2023, "2023-04-09"},
		{"2024 March", 2024, "2024-03-31"},
		{"2025", 2025, "2025-04-20"},
		{"2026", 2026, "2026-04-05"},
		{"2027", 2027, "2027-03-28"},
		{"2038 latest possible", 2038, "2038-04-25"},
		{"2200", 2200, "2200-04-06"},
		{"2285 earliest possible", 2285, "2285-03-22"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Easter(tt.year); !got.Equal(mustDate(t, tt.want)) {
				t.Errorf("Easter(%d) = %s, want %s", tt.year, got.Format(time.DateOnly), tt.want)
			}
		})
	}
}

func TestEasterMatchesIndependentAlgorithm(t *testing.T) {
	for y := MinYear; y <= MaxYear; y++ {
		got, want := Easter(y), easterTondering(y)
		if !got.Equal(want) {
			t.Errorf("Easter(%d) = %s, Tøndering gives %s", y, got.Format(time.DateOnly), want.Format(time.DateOnly))
		}
		if got.Weekday() != time.Sunday {
			t.Errorf("Easter(%d) = %s is a %s", y, got.Format(time.DateOnly), got.Weekday())
		}
	}
}

func TestDateAndParseDate(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Time
		wantErr bool
	}{
		{name: "plain", in: "2024-03-31", want: Date(2024, time.March, 31)},
		{name: "leap day", in: "2024-02-29", want: Date(2024, time.February, 29)},
		{name: "no leap day in 2023", in: "2023-02-29", wantErr: true},
		{name: "day 30 of February", in: "2024-02-30", wantErr: true},
		{name: "missing zero padding", in: "2024-3-1", wantErr: true},
		{name: "Danish format", in: "31.03.2024", wantErr: true},
		{name: "empty", in: "", wantErr: true},
		{name: "with time", in: "2024-03-31T10:00:00Z", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if tt.wantErr {
				if netbank.ErrorCodeOf(err) != netbank.EINVALID {
					t.Fatalf("ParseDate(%q) error = %v, want EINVALID", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC || got.Hour() != 0 {
				t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestDay(t *testing.T) {
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"winter, before midnight in Copenhagen", time.Date(2024, 1, 15, 22, 59, 0, 0, time.UTC), "2024-01-15"},
		{"winter, after midnight in Copenhagen (UTC+1)", time.Date(2024, 1, 15, 23, 0, 0, 0, time.UTC), "2024-01-16"},
		{"summer, after midnight in Copenhagen (UTC+2)", time.Date(2024, 6, 30, 22, 30, 0, 0, time.UTC), "2024-07-01"},
		{"summer, before midnight in Copenhagen", time.Date(2024, 6, 30, 21, 59, 0, 0, time.UTC), "2024-06-30"},
		{"New Year in Copenhagen", time.Date(2024, 12, 31, 23, 30, 0, 0, time.UTC), "2025-01-01"},
		{"already in Copenhagen", time.Date(2024, 3, 31, 0, 30, 0, 0, cph), "2024-03-31"},
		{"other zone", time.Date(2024, 3, 30, 20, 0, 0, 0, time.FixedZone("EST", -5*3600)), "2024-03-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Day(tt.in)
			if !got.Equal(mustDate(t, tt.want)) || got.Location() != time.UTC {
				t.Errorf("Day(%v) = %v, want %s UTC", tt.in, got, tt.want)
			}
		})
	}
}

func TestInRange(t *testing.T) {
	tests := []struct {
		name string
		d    time.Time
		want bool
	}{
		{"first day", Date(1900, 1, 1), true},
		{"last day", Date(2200, 12, 31), true},
		{"before", Date(1899, 12, 31), false},
		{"after", Date(2201, 1, 1), false},
		{"today-ish", Date(2026, 5, 15), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InRange(tt.d); got != tt.want {
				t.Errorf("InRange(%v) = %v, want %v", tt.d, got, tt.want)
			}
		})
	}
}

// RULE CAL-1
func TestHolidays(t *testing.T) {
	// Every non-bank day that is not a plain weekend, for several years,
	// written out by hand rather than derived from Easter.
	tests := []struct {
		date, danish, english string
	}{
		// 2024: Easter 31 March; Store Bededag abolished.
		{"2024-01-01", "Nytårsdag", "New Year's Day"},
		{"2024-03-28", "Skærtorsdag", "Maundy Thursday"},
		{"2024-03-29", "Langfredag", "Good Friday"},
		{"2024-03-31", "Påskedag", "Easter Sunday"},
		{"2024-04-01", "2. påskedag", "Easter Monday"},
		{"2024-05-09", "Kristi himmelfartsdag", "Ascension Day"},
		{"2024-05-10", "Fredag efter Kristi himmelfartsdag", "Friday after Ascension Day"},
		{"2024-05-19", "Pinsedag", "Whit Sunday"},
		{"2024-05-20", "2. pinsedag", "Whit Monday"},
		{"2024-06-05", "Grundlovsdag", "Constitution Day"},
		{"2024-12-24", "Juleaftensdag", "Christmas Eve"},
		{"2024-12-25", "Juledag", "Christmas Day"},
		{"2024-12-26", "2. juledag", "Boxing Day"},
		{"2024-12-31", "Nytårsaftensdag", "New Year's Eve"},
		// 2025: Easter 20 April.
		{"2025-01-01", "Nytårsdag", "New Year's Day"},
		{"2025-04-17", "Skærtorsdag", "Maundy Thursday"},
		{"2025-04-18", "Langfredag", "Good Friday"},
		{"2025-04-20", "Påskedag", "Easter Sunday"},
		{"2025-04-21", "2. påskedag", "Easter Monday"},
		{"2025-05-29", "Kristi himmelfartsdag", "Ascension Day"},
		{"2025-05-30", "Fredag efter Kristi himmelfartsdag", "Friday after Ascension Day"},
		{"2025-06-05", "Grundlovsdag", "Constitution Day"},
		{"2025-06-08", "Pinsedag", "Whit Sunday"},
		{"2025-06-09", "2. pinsedag", "Whit Monday"},
		{"2025-12-24", "Juleaftensdag", "Christmas Eve"},
		{"2025-12-25", "Juledag", "Christmas Day"},
		{"2025-12-26", "2. juledag", "Boxing Day"},
		{"2025-12-31", "Nytårsaftensdag", "New Year's Eve"},
		// 2026: Easter 5 April, Ascension 14 May.
		{"2026-01-01", "Nytårsdag", "New Year's Day"},
		{"2026-04-02", "Skærtorsdag", "Maundy Thursday"},
		{"2026-04-03", "Langfredag", "Good Friday"},
		{"2026-04-05", "Påskedag", "Easter Sunday"},
		{"2026-04-06", "2. påskedag", "Easter Monday"},
		{"2026-05-14", "Kristi himmelfartsdag", "Ascension Day"},
		{"2026-05-15", "Fredag efter Kristi himmelfartsdag", "Friday after Ascension Day"},
		{"2026-05-24", "Pinsedag", "Whit Sunday"},
		{"2026-05-25", "2. pinsedag", "Whit Monday"},
		{"2026-06-05", "Grundlovsdag", "Constitution Day"},
		{"2026-12-24", "Juleaftensdag", "Christmas Eve"},
		{"2026-12-25", "Juledag", "Christmas Day"},
		{"2026-12-26", "2. juledag", "Boxing Day"},
		{"2026-12-31", "Nytårsaftensdag", "New Year's Eve"},
		// 2027: Easter 28 March; 5 June and 25 December fall on a Saturday,
		// 26 December on a Sunday: the holiday's name wins.
		{"2027-01-01", "Nytårsdag", "New Year's Day"},
		{"2027-03-25", "Skærtorsdag", "Maundy Thursday"},
		{"2027-03-26", "Langfredag", "Good Friday"},
		{"2027-03-28", "Påskedag", "Easter Sunday"},
		{"2027-03-29", "2. påskedag", "Easter Monday"},
		{"2027-05-06", "Kristi himmelfartsdag", "Ascension Day"},
		{"2027-05-07", "Fredag efter Kristi himmelfartsdag", "Friday after Ascension Day"},
		{"2027-05-16", "Pinsedag", "Whit Sunday"},
		{"2027-05-17", "2. pinsedag", "Whit Monday"},
		{"2027-06-05", "Grundlovsdag", "Constitution Day"},
		{"2027-12-24", "Juleaftensdag", "Christmas Eve"},
		{"2027-12-25", "Juledag", "Christmas Day"},
		{"2027-12-26", "2. juledag", "Boxing Day"},
		{"2027-12-31", "Nytårsaftensdag", "New Year's Eve"},
		// Store Bededag up to and including 2023 (Easter 2023: 9 April).
		{"2023-05-05", "Store bededag", "Great Prayer Day"},
		{"1900-05-11", "Store bededag", "Great Prayer Day"},
		// Whit Sunday / Whit Monday on Constitution Day: the public holiday wins.
		{"2022-06-05", "Pinsedag", "Whit Sunday"},
		{"2006-06-05", "2. pinsedag", "Whit Monday"},
	}
	for _, tt := range tests {
		t.Run(tt.date+" "+tt.english, func(t *testing.T) {
			d := mustDate(t, tt.date)
			if IsBankDay(d) {
				t.Errorf("IsBankDay(%s) = true, want false (%s)", tt.date, tt.english)
			}
			if got := Reason(d); got != tt.danish {
				t.Errorf("Reason(%s) = %q, want %q", tt.date, got, tt.danish)
			}
			if got := ReasonEnglish(d); got != tt.english {
				t.Errorf("ReasonEnglish(%s) = %q, want %q", tt.date, got, tt.english)
			}
		})
	}
}

// RULE CAL-1
func TestHolidayCountPerYear(t *testing.T) {
	// Catch an extra holiday slipping in: a year has exactly 14 named
	// closing days (counted even when they fall on a weekend), plus Store
	// Bededag up to and including 2023.
	tests := []struct {
		name string
		year int
		want int
	}{
		{"2024", 2024, 14},
		{"2025", 2025, 14},
		{"2026", 2026, 14},
		{"2027", 2027, 14},
		{"2023 with Store Bededag", 2023, 15},
		{"1900 with Store Bededag", 1900, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			for d := Date(tt.year, 1, 1); d.Year() == tt.year; d = d.AddDate(0, 0, 1) {
				if r := Reason(d); r != "" && r != "Lørdag" && r != "Søndag" {
					n++
				}
			}
			if n != tt.want {
				t.Errorf("%d named non-bank days in %d, want %d", n, tt.year, tt.want)
			}
		})
	}
}

// RULE CAL-1
func TestBankDays(t *testing.T) {
	tests := []struct {
		name   string
		date   string
		bank   bool
		reason string
	}{
		{"ordinary Monday", "2026-05-11", true, ""},
		{"ordinary Friday", "2026-05-08", true, ""},
		{"Saturday", "2026-05-16", false, "Lørdag"},
		{"Sunday", "2026-05-17", false, "Søndag"},
		{"Ascension Day 2026", "2026-05-14", false, "Kristi himmelfartsdag"},
		{"Friday after Ascension 2026", "2026-05-15", false, "Fredag efter Kristi himmelfartsdag"},
		{"Wednesday before Ascension 2026", "2026-05-13", true, ""},
		{"Store Bededag 2023 is closed", "2023-05-05", false, "Store bededag"},
		{"former Store Bededag 2024 is a bank day", "2024-04-26", true, ""},
		{"former Store Bededag 2025 is a bank day", "2025-05-16", true, ""},
		{"Thursday a week before Maundy Thursday", "2026-03-26", true, ""},
		{"23 December", "2026-12-23", true, ""},
		{"27 December (Monday 2027)", "2027-12-27", true, ""},
		{"2 January", "2026-01-02", true, ""},
		{"Saturday New Year's Day 2028", "2028-01-01", false, "Nytårsdag"},
		{"first supported day (Monday)", "1900-01-01", false, "Nytårsdag"},
		{"last supported day", "2200-12-31", false, "Nytårsaftensdag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDate(t, tt.date)
			if got := IsBankDay(d); got != tt.bank {
				t.Errorf("IsBankDay(%s) = %v, want %v", tt.date, got, tt.bank)
			}
			if got := Reason(d); got != tt.reason {
				t.Errorf("Reason(%s) = %q, want %q", tt.date, got, tt.reason)
			}
			if (ReasonEnglish(d) == "") != tt.bank {
				t.Errorf("ReasonEnglish(%s) = %q, bank day %v", tt.date, ReasonEnglish(d), tt.bank)
			}
		})
	}
}

func TestIgnoresClockAndLocation(t *testing.T) {
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	// 24 December in Copenhagen, late in the evening: still Christmas Eve.
	d := time.Date(2026, 12, 24, 23, 30, 0, 0, cph)
	if IsBankDay(d) || Reason(d) != "Juleaftensdag" {
		t.Errorf("IsBankDay/Reason(%v) = %v/%q, want false/Juleaftensdag", d, IsBankDay(d), Reason(d))
	}
	if got, want := NextBankDay(d), Date(2026, 12, 28); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("NextBankDay(%v) = %v, want %v", d, got, want)
	}
}

func TestNextBankDayAndOnOrAfter(t *testing.T) {
	tests := []struct {
		name      string
		date      string
		next      string
		onOrAfter string
	}{
		{"bank day Monday", "2026-05-11", "2026-05-12", "2026-05-11"},
		{"ordinary Friday to Monday", "2026-05-08", "2026-05-11", "2026-05-08"},
		{"Saturday", "2026-05-09", "2026-05-11", "2026-05-11"},
		{"Wednesday before Ascension", "2026-05-13", "2026-05-18", "2026-05-13"},
		{"Ascension Day", "2026-05-14", "2026-05-18", "2026-05-18"},
		{"Friday after Ascension", "2026-05-15", "2026-05-18", "2026-05-18"},
		{"Wednesday before Easter", "2026-04-01", "2026-04-07", "2026-04-01"},
		{"Good Friday", "2026-04-03", "2026-04-07", "2026-04-07"},
		{"23 December 2026", "2026-12-23", "2026-12-28", "2026-12-23"},
		{"Christmas Eve 2026", "2026-12-24", "2026-12-28", "2026-12-28"},
		{"New Year's Eve 2026", "2026-12-31", "2027-01-04", "2027-01-04"},
		{"Store Bededag 2023", "2023-05-05", "2023-05-08", "2023-05-08"},
		{"Thursday before former Store Bededag 2024", "2024-04-25", "2024-04-26", "2024-04-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDate(t, tt.date)
			if got := NextBankDay(d); !got.Equal(mustDate(t, tt.next)) {
				t.Errorf("NextBankDay(%s) = %s, want %s", tt.date, got.Format(time.DateOnly), tt.next)
			}
			if got := OnOrAfter(d); !got.Equal(mustDate(t, tt.onOrAfter)) {
				t.Errorf("OnOrAfter(%s) = %s, want %s", tt.date, got.Format(time.DateOnly), tt.onOrAfter)
			}
		})
	}
}

func TestAddBankDays(t *testing.T) {
	tests := []struct {
		name string
		date string
		n    int
		want string
	}{
		{"zero on a bank day", "2026-05-11", 0, "2026-05-11"},
		{"zero on a Saturday returns it unchanged", "2026-05-09", 0, "2026-05-09"},
		{"one", "2026-05-11", 1, "2026-05-12"},
		{"one from Saturday", "2026-05-09", 1, "2026-05-11"},
		{"minus one from Saturday", "2026-05-09", -1, "2026-05-08"},
		{"over a weekend", "2026-05-08", 1, "2026-05-11"},
		{"five is a week", "2026-03-02", 5, "2026-03-09"},
		{"into Easter 2026", "2026-04-01", 1, "2026-04-07"},
		{"across Easter 2026", "2026-03-31", 3, "2026-04-08"},
		{"back across Easter 2026", "2026-04-07", -1, "2026-04-01"},
		{"back across Easter 2026 twice", "2026-04-08", -3, "2026-03-31"},
		{"across Ascension 2026", "2026-05-13", 1, "2026-05-18"},
		{"into Christmas 2026", "2026-12-23", 1, "2026-12-28"},
		{"across Christmas 2026", "2026-12-23", 3, "2026-12-30"},
		{"across New Year 2026/27", "2026-12-23", 4, "2027-01-04"},
		{"back across New Year", "2027-01-04", -4, "2026-12-23"},
		{"across Christmas 2024", "2024-12-20", 2, "2024-12-27"},
		{"a year of bank days", "2025-01-02", 250, "2026-01-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDate(t, tt.date)
			got := AddBankDays(d, tt.n)
			if !got.Equal(mustDate(t, tt.want)) {
				t.Errorf("AddBankDays(%s, %d) = %s, want %s", tt.date, tt.n, got.Format(time.DateOnly), tt.want)
			}
		})
	}
	t.Run("zero keeps clock and location", func(t *testing.T) {
		d := time.Date(2026, 5, 9, 13, 45, 0, 0, time.FixedZone("X", 3600))
		if got := AddBankDays(d, 0); got != d {
			t.Errorf("AddBankDays(%v, 0) = %v, want it unchanged", d, got)
		}
	})
}

// RULE CAL-1
func TestBankDayCount2025(t *testing.T) {
	// Bank days in 2025: 261 weekdays minus 12 closing dates on weekdays
	// (1 Jan; 17, 18, 21 Apr; 29, 30 May; 5, 9 Jun; 24, 25, 26, 31 Dec).
	n := 0
	for d := Date(2025, 1, 1); d.Year() == 2025; d = d.AddDate(0, 0, 1) {
		if IsBankDay(d) {
			n++
		}
	}
	if n != 261-12 {
		t.Errorf("%d bank days in 2025, want %d", n, 261-12)
	}
}

// RULE CAL-1
func TestPropertiesAllSupportedDays(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every day 1900–2200")
	}
	last := Date(MaxYear, 12, 31)
	for d := Date(MinYear, 1, 1); !d.After(last); d = d.Add(24 * time.Hour) {
		bank := IsBankDay(d)
		switch d.Weekday() {
		case time.Saturday, time.Sunday:
			if bank {
				t.Fatalf("%s is a %s but a bank day", d.Format(time.DateOnly), d.Weekday())
			}
		}
		if bank != (Reason(d) == "") || bank != (ReasonEnglish(d) == "") {
			t.Fatalf("%s: IsBankDay %v but Reason %q / %q", d.Format(time.DateOnly), bank, Reason(d), ReasonEnglish(d))
		}
		o := OnOrAfter(d)
		if !IsBankDay(o) || o.Before(d) || (bank && !o.Equal(d)) {
			t.Fatalf("OnOrAfter(%s) = %s", d.Format(time.DateOnly), o.Format(time.DateOnly))
		}
		next := NextBankDay(d)
		if !next.After(d) || !IsBankDay(next) {
			t.Fatalf("NextBankDay(%s) = %s", d.Format(time.DateOnly), next.Format(time.DateOnly))
		}
		// Nothing between d and next is a bank day.
		if gap := next.Sub(d) / (24 * time.Hour); gap > 6 {
			t.Fatalf("NextBankDay(%s) = %s: %d days later", d.Format(time.DateOnly), next.Format(time.DateOnly), gap)
		}
		for _, n := range []int{1, -1, 2, -3, 7} {
			a := AddBankDays(d, n)
			if !IsBankDay(a) {
				t.Fatalf("AddBankDays(%s, %d) = %s is not a bank day", d.Format(time.DateOnly), n, a.Format(time.DateOnly))
			}
			if (n > 0 && !a.After(d)) || (n < 0 && !a.Before(d)) {
				t.Fatalf("AddBankDays(%s, %d) = %s goes the wrong way", d.Format(time.DateOnly), n, a.Format(time.DateOnly))
			}
		}
		if bank && !AddBankDays(AddBankDays(d, 3), -3).Equal(d) {
			t.Fatalf("AddBankDays(AddBankDays(%s, 3), -3) != %s", d.Format(time.DateOnly), d.Format(time.DateOnly))
		}
	}
}

func TestDays(t *testing.T) {
	t.Run("Christmas week", func(t *testing.T) {
		got, err := Days(Date(2026, 12, 23), Date(2026, 12, 28))
		if err != nil {
			t.Fatal(err)
		}
		want := []DayInfo{
			{Date(2026, 12, 23), true, ""},
			{Date(2026, 12, 24), false, "Juleaftensdag"},
			{Date(2026, 12, 25), false, "Juledag"},
			{Date(2026, 12, 26), false, "2. juledag"},
			{Date(2026, 12, 27), false, "Søndag"},
			{Date(2026, 12, 28), true, ""},
		}
		if len(got) != len(want) {
			t.Fatalf("Days returned %d days, want %d", len(got), len(want))
		}
		for i := range want {
			if !got[i].Date.Equal(want[i].Date) || got[i].BankDay != want[i].BankDay || got[i].Reason != want[i].Reason {
				t.Errorf("day %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	})

	tests := []struct {
		name     string
		from, to time.Time
		wantLen  int
		wantErr  bool
	}{
		{name: "one day", from: Date(2026, 5, 15), to: Date(2026, 5, 15), wantLen: 1},
		{name: "a leap year", from: Date(2024, 1, 1), to: Date(2024, 12, 31), wantLen: 366},
		{name: "exactly three years", from: Date(2025, 1, 1), to: Date(2028, 1, 1), wantLen: 1096},
		{name: "three years and a day", from: Date(2025, 1, 1), to: Date(2028, 1, 2), wantErr: true},
		{name: "to before from", from: Date(2026, 5, 15), to: Date(2026, 5, 14), wantErr: true},
		{name: "first supported days", from: Date(1900, 1, 1), to: Date(1900, 1, 31), wantLen: 31},
		{name: "last supported days", from: Date(2200, 12, 1), to: Date(2200, 12, 31), wantLen: 31},
		{name: "from before 1900", from: Date(1899, 12, 31), to: Date(1900, 1, 2), wantErr: true},
		{name: "to after 2200", from: Date(2200, 12, 30), to: Date(2201, 1, 1), wantErr: true},
		{name: "clock time ignored", from: time.Date(2026, 5, 15, 23, 0, 0, 0, time.UTC), to: time.Date(2026, 5, 16, 1, 0, 0, 0, time.UTC), wantLen: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Days(tt.from, tt.to)
			if tt.wantErr {
				if netbank.ErrorCodeOf(err) != netbank.EINVALID || netbank.ErrorMessageOf(err) == "" {
					t.Fatalf("Days error = %v, want EINVALID with a message", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Days: %v", err)
			}
			if len(got) != tt.wantLen {
				t.Fatalf("Days returned %d days, want %d", len(got), tt.wantLen)
			}
			for i, di := range got {
				if want := Date(tt.from.Year(), tt.from.Month(), tt.from.Day()+i); !di.Date.Equal(want) {
					t.Fatalf("day %d = %v, want %v", i, di.Date, want)
				}
				if di.BankDay != IsBankDay(di.Date) || di.Reason != Reason(di.Date) {
					t.Fatalf("day %d = %+v disagrees with IsBankDay/Reason", i, di)
				}
			}
		})
	}
}

// RULE CONTR-2
func TestWithdrawalDeadline(t *testing.T) {
	tests := []struct {
		name     string
		signed   string
		informed string
		days     int
		credit   bool
		want     string
	}{
		{"signed Monday 1 March gives Monday 15 March", "2021-03-01", "2021-03-01", WithdrawalDays, false, "2021-03-15"},
		{"credit: same when it is a bank day", "2021-03-01", "2021-03-01", WithdrawalDays, true, "2021-03-15"},
		{"informed later counts from informed", "2021-03-01", "2021-03-03", WithdrawalDays, false, "2021-03-17"},
		{"informed earlier counts from signed", "2021-03-03", "2021-02-20", WithdrawalDays, false, "2021-03-17"},
		{"Saturday moves to Monday", "2026-02-28", "2026-02-28", WithdrawalDays, false, "2026-03-16"},
		{"credit: Saturday stays", "2026-02-28", "2026-02-28", WithdrawalDays, true, "2026-03-14"},
		{"Friday after Ascension moves to Monday", "2026-05-01", "2026-05-01", WithdrawalDays, false, "2026-05-18"},
		{"credit: Friday after Ascension stays", "2026-05-01", "2026-05-01", WithdrawalDays, true, "2026-05-15"},
		{"Ascension Day moves past the Friday after", "2026-04-30", "2026-04-30", WithdrawalDays, false, "2026-05-18"},
		{"Christmas Eve moves past the Christmas days", "2026-12-10", "2026-12-10", WithdrawalDays, false, "2026-12-28"},
		{"credit: Christmas Eve stays", "2026-12-10", "2026-12-10", WithdrawalDays, true, "2026-12-24"},
		{"New Year's Eve moves past New Year and weekend", "2026-12-17", "2026-12-17", WithdrawalDays, false, "2027-01-04"},
		{"Constitution Day moves to Monday", "2026-05-22", "2026-05-22", WithdrawalDays, false, "2026-06-08"},
		{"Good Friday moves past Easter Monday", "2026-03-20", "2026-03-20", WithdrawalDays, false, "2026-04-07"},
		{"pension: 30 days", "2026-03-02", "2026-03-02", PensionWithdrawalDays, false, "2026-04-01"},
		{"pension: Sunday moves to Monday", "2026-01-02", "2026-01-02", PensionWithdrawalDays, false, "2026-02-02"},
		{"pension credit flag still never moves", "2026-01-02", "2026-01-02", PensionWithdrawalDays, true, "2026-02-01"},
		{"Store Bededag 2023 moves", "2023-04-21", "2023-04-21", WithdrawalDays, false, "2023-05-08"},
		{"former Store Bededag 2024 does not move", "2024-04-12", "2024-04-12", WithdrawalDays, false, "2024-04-26"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WithdrawalDeadline(mustDate(t, tt.signed), mustDate(t, tt.informed), tt.days, tt.credit)
			if !got.Equal(mustDate(t, tt.want)) {
				t.Errorf("WithdrawalDeadline(%s, %s, %d, %v) = %s, want %s",
					tt.signed, tt.informed, tt.days, tt.credit, got.Format(time.DateOnly), tt.want)
			}
		})
	}
}

func TestConstants(t *testing.T) {
	// RULE CONTR-2
	if WithdrawalDays != 14 || PensionWithdrawalDays != 30 {
		t.Errorf("withdrawal periods = %d/%d, want 14/30", WithdrawalDays, PensionWithdrawalDays)
	}
}

func BenchmarkIsBankDay(b *testing.B) {
	days := make([]time.Time, 0, 3653)
	for d := Date(2020, 1, 1); d.Year() < 2030; d = d.Add(24 * time.Hour) {
		days = append(days, d)
	}
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		if IsBankDay(days[i%len(days)]) {
			n++
		}
	}
	_ = n
}
