"""dbaudit: audits TypeScript + Prisma codebases for database anti-patterns."""

__version__ = "0.2.1"
