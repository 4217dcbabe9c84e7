; Every export statement; Python reads declaration, clause, default and source.
;   export const prisma = ...      export default prisma
;   export { prisma as db } from "./client"     export * from "./client"
(export_statement) @export
