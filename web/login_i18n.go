package web

// loginMessages holds the texts of the login pages (private, business, staff) and session messages.
var loginMessages = catalog{}
