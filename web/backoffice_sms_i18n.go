package web

// smsMessages holds the texts of the back office's SMS outbox
// (backoffice_sms.go).
var smsMessages = catalog{
	"bo.nav.sms":           {"SMS", "SMS"},
	"bo.sms.title":         {"Sendte SMS", "Sent SMS"},
	"bo.sms.lead":          {"De nyeste SMS'er, banken har sendt: engangskoder til Visa Secure med forretning og beløb. Koderne gælder i 5 minutter; giv dem aldrig videre. Hver visning af siden logges.", "The newest text messages the bank has sent: Visa Secure one-time codes with merchant and amount. The codes are valid for 5 minutes; never pass them on. Every view of this page is logged."},
	"bo.sms.list":          {"SMS-udbakke", "SMS outbox"},
	"bo.sms.none":          {"Banken har ikke sendt nogen SMS.", "The bank has sent no text messages."},
	"bo.sms.unavailable":   {"Visa Secure er ikke sat op på denne server.", "Visa Secure is not set up on this server."},
	"bo.sms.time":          {"Tidspunkt", "Time"},
	"bo.sms.to":            {"Mobilnummer", "Mobile number"},
	"bo.sms.text":          {"Tekst", "Text"},
	"bo.sms.status":        {"Status", "Status"},
	"bo.sms.status.outbox": {"I udbakken", "In the outbox"},
	"bo.sms.status.sent":   {"Sendt", "Sent"},
	"bo.sms.status.failed": {"Fejlede", "Failed"},
	"bo.sms.reference":     {"Vedrører", "Concerns"},
}
