import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import type { Command } from 'commander';
import { CreateUserDto } from 'src/auth/auth.dto';
import { UsersService } from 'src/auth/users.service';
import { CLI_PRINCIPAL, CliContext, out } from 'src/cli/cli-context';
import { DomainErrorCode, DomainException } from 'src/common/domain.exception';
import { CreateDistrictDto } from 'src/districts/districts.dto';
import { DistrictsService } from 'src/districts/districts.service';
import { EDITIONS, US_STATES } from 'src/districts/district.types';
import { ROLES } from 'src/auth/auth.types';

export class CliUsageError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A command's id argument: a UUID, else a usage error naming the option. */
export function uuidArg(value: string, what: string): string {
  if (!UUID.test(value)) throw new CliUsageError(`${what} must be a UUID`);
  return value;
}

/** The service's "not found" as the CLI's usage error with its own wording; anything else goes through. */
export async function orUsageError<T>(p: Promise<T>, notFound: string): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof DomainException && err.code === DomainErrorCode.NOT_FOUND)
      throw new CliUsageError(notFound);
    throw err;
  }
}

async function validated<T extends object>(cls: new () => T, raw: Record<string, unknown>): Promise<T> {
  const dto = plainToInstance(cls, raw);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new CliUsageError(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; '));
  }
  return dto;
}

export function registerFoundationCommands(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => Promise<void>,
): void {
  program
    .command('migrate')
    .description('apply pending database migrations (DATABASE_URL, or the embedded database when unset)')
    .action(() =>
      run(async (ctx) => {
        await ctx.database();
        out('migrations are up to date');
      }),
    );

  const district = program.command('district').description('manage districts');
  district
    .command('create')
    .description('create a district (tenant)')
    .requiredOption('--name <name>', 'district name')
    .requiredOption('--state <state>', `state: ${US_STATES.join(', ')}`)
    .option('--edition <edition>', `edition: ${EDITIONS.join(', ')}`, 'full')
    .option('--time-zone <tz>', 'IANA time zone, e.g. America/Los_Angeles')
    .option('--nightly-at <HH:MM>', 'local time of the nightly run', '02:00')
    .action((o: { name: string; state: string; edition: string; timeZone?: string; nightlyAt: string }) =>
      run(async (ctx) => {
        const dto = await validated(CreateDistrictDto, {
          name: o.name,
          state: o.state.toUpperCase(),
          edition: o.edition,
          timeZone: o.timeZone,
          nightlyAt: o.nightlyAt,
        });
        const saved = await (await ctx.get(DistrictsService)).create(dto);
        out(`district ${saved.id} created: ${saved.name} (${saved.state}, ${saved.edition})`);
      }),
    );
  district
    .command('list')
    .description('list districts')
    .action(() =>
      run(async (ctx) => {
        const rows = await (await ctx.get(DistrictsService)).list(CLI_PRINCIPAL);
        for (const d of rows) out(`${d.id}  ${d.state}  ${d.edition.padEnd(15)}  ${d.name}`);
      }),
    );

  const user = program.command('user').description('manage users');
  user
    .command('create')
    .description('create a user; the password is read from SIS_CERTIFY_PASSWORD or --password')
    .requiredOption('--email <email>', 'login e-mail')
    .requiredOption('--role <role>', `role: ${ROLES.join(', ')}`)
    .option('--name <name>', 'display name')
    .option('--district <id>', 'district id (required unless role is support)')
    .option(
      '--password <password>',
      'password (prefer SIS_CERTIFY_PASSWORD so it stays out of shell history)',
    )
    .option('--schools <ids>', 'comma-separated school ids (school_user)')
    .option('--programs <codes>', 'comma-separated program codes (program_user)')
    .action(
      (o: {
        email: string;
        role: string;
        name?: string;
        district?: string;
        password?: string;
        schools?: string;
        programs?: string;
      }) =>
        run(async (ctx) => {
          const password = o.password ?? process.env.SIS_CERTIFY_PASSWORD;
          const dto = await validated(CreateUserDto, {
            email: o.email,
            role: o.role,
            displayName: o.name ?? o.email,
            password,
            schoolIds: o.schools?.split(',').map((s) => s.trim()),
            programCodes: o.programs?.split(',').map((s) => s.trim()),
          });
          if (dto.role !== 'support' && !o.district)
            throw new CliUsageError('--district is required for district roles');
          // The API's rules: unique e-mail, existing district, schools only for a school_user, programs only
          // for a program_user.
          const districtId = dto.role === 'support' ? null : uuidArg(o.district ?? '', '--district');
          const saved = await orUsageError(
            (await ctx.get(UsersService)).create(CLI_PRINCIPAL, districtId, dto),
            `district ${o.district} does not exist`,
          );
          out(`user ${saved.id} created: ${saved.email} (${saved.role})`);
        }),
    );
}
