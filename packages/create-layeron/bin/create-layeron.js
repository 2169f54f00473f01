#!/usr/bin/env node
// The command's entry. It is plain JavaScript kept in git, so that npm can link
// it at install time, before the build has written dist/.
import "../dist/cli.js"
