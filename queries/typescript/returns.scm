; Every return with a value, for the function it leaves (what a factory hands back).
;   return { dbRead: read, dbWrite: write }     return new PrismaClient()
(return_statement
  (_) @return.value) @return
