package web

// netbankMessages holds the texts of the logged-in net bank (overview, settings, blocking, code change).
var netbankMessages = catalog{}
