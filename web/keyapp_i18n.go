package web

// keyappMessages holds the texts of the key-app enrolment (BIZ-4).
var keyappMessages = catalog{
	"nb.keyapp.title":     {"Nøgleapp", "Key app"},
	"nb.keyapp.lead":      {"Brug en nøgleapp på din telefon i stedet for nøglekortet. Én app erstatter ét nøglekort.", "Use a key app on your phone instead of the key card. One app replaces one key card."},
	"nb.keyapp.how":       {"Sådan gør du", "How it works"},
	"nb.keyapp.how.1":     {"Installer en godkendelsesapp (TOTP), fx Microsoft Authenticator, Google Authenticator eller 1Password.", "Install an authenticator app (TOTP), e.g. Microsoft Authenticator, Google Authenticator or 1Password."},
	"nb.keyapp.how.2":     {"Scan QR-koden, som vi viser på næste side.", "Scan the QR code we show on the next page."},
	"nb.keyapp.how.3":     {"Skriv den 6-cifrede kode fra appen for at bekræfte.", "Type the 6-digit code from the app to confirm."},
	"nb.keyapp.warn":      {"Når appen er bekræftet, virker dit nøglekort ikke længere. Du logger på og godkender med koden fra appen.", "Once the app is confirmed, your key card stops working. You log in and approve with the code from the app."},
	"nb.keyapp.has":       {"Du bruger allerede en nøgleapp. Tilmelder du en ny, holder den gamle op med at virke.", "You already use a key app. Enrolling a new one stops the old one working."},
	"nb.keyapp.start":     {"Start tilmelding", "Start enrolment"},
	"nb.keyapp.scan":      {"Scan QR-koden med din app", "Scan the QR code with your app"},
	"nb.keyapp.qr.alt":    {"QR-kode til nøgleappen", "QR code for the key app"},
	"nb.keyapp.manual":    {"Kan du ikke scanne? Skriv denne nøgle i appen:", "Can't scan? Type this key into the app:"},
	"nb.keyapp.secret":    {"Vis aldrig nøglen eller QR-koden til andre. Banken spørger aldrig efter den.", "Never show the key or the QR code to anyone. The bank never asks for it."},
	"nb.keyapp.code":      {"Kode fra appen (6 cifre)", "Code from the app (6 digits)"},
	"nb.keyapp.confirm":   {"Bekræft", "Confirm"},
	"nb.keyapp.cancel":    {"Annuller", "Cancel"},
	"nb.keyapp.done":      {"Nøgleappen er klar", "The key app is ready"},
	"nb.keyapp.done.text": {"Fremover logger du på og godkender med koden fra appen. Dit nøglekort virker ikke længere – klip det over.", "From now on you log in and approve with the code from the app. Your key card no longer works – cut it up."},
	"nb.keyapp.done.back": {"Til oversigten", "To the overview"},
}
