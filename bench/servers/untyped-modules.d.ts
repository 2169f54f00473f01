// express 5 and express-session ship no types (@types/* would be two more
// packages for two small servers): the servers type the parts they use.
declare module "express"
declare module "express-session"
