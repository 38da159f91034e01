package web

// backofficeMessages holds the texts of the back office.
var backofficeMessages = catalog{}
