; Calls that may register a request handler; Python checks the verb and the path.
;   app.post("/notes", auth, async (req, res) => {})   app.route("/x").get(fn)
(call_expression
  function: (member_expression
    property: (property_identifier) @_verb
    (#any-of? @_verb "get" "post" "put" "patch" "delete" "all" "use" "head" "options"))
  arguments: (arguments)) @registration

; Calls that run a function on a schedule; Python picks the function argument.
;   cron.schedule("0 * * * *", fn)   schedule.scheduleJob(rule, fn)   setInterval(fn, ms)
(call_expression
  function: [(identifier) @_sched
             (member_expression property: (property_identifier) @_sched)]
  (#any-of? @_sched "schedule" "scheduleJob" "setInterval" "Cron")
  arguments: (arguments)) @schedule
;   new CronJob("0 * * * *", fn)   new CronJob({ cronTime, onTick })
(new_expression
  constructor: [(identifier) @_job
                (member_expression property: (property_identifier) @_job)]
  (#any-of? @_job "CronJob" "Cron")
  arguments: (arguments)) @schedule

; Fastify's full declaration: app.route({ method, url, schema, handler })
(call_expression
  function: (member_expression property: (property_identifier) @_route)
  (#eq? @_route "route")
  arguments: (arguments . (object))) @route_options

; express-openapi: an operation handler's request schema, POST.apiDoc = { parameters, requestBody }
(assignment_expression
  left: (member_expression property: (property_identifier) @_doc)
  (#eq? @_doc "apiDoc")
  right: (object)) @api_doc
