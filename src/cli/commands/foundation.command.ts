import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import type { Command } from 'commander';
import { CreateUserDto } from 'src/auth/auth.dto';
import { hashPassword } from 'src/auth/password.util';
import { UserEntity } from 'src/auth/user.entity';
import { CliContext, out } from 'src/cli/cli-context';
import { CreateDistrictDto } from 'src/districts/districts.dto';
import { DistrictEntity } from 'src/districts/district.entity';
import { EDITIONS, US_STATES } from 'src/districts/district.types';
import { ROLES } from 'src/auth/auth.types';

export class CliUsageError extends Error {}

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
        const ds = await ctx.dataSource();
        const repo = ds.getRepository(DistrictEntity);
        const saved = await repo.save(
          repo.create({
            name: dto.name,
            state: dto.state,
            edition: dto.edition ?? 'full',
            timeZone: dto.timeZone ?? (dto.state === 'TX' ? 'America/Chicago' : 'America/Los_Angeles'),
            nightlyAt: dto.nightlyAt ?? '02:00',
          }),
        );
        out(`district ${saved.id} created: ${saved.name} (${saved.state}, ${saved.edition})`);
      }),
    );
  district
    .command('list')
    .description('list districts')
    .action(() =>
      run(async (ctx) => {
        const rows = await (
          await ctx.dataSource()
        )
          .getRepository(DistrictEntity)
          .find({ order: { name: 'ASC' } });
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
          const ds = await ctx.dataSource();
          if (o.district && !(await ds.getRepository(DistrictEntity).exists({ where: { id: o.district } }))) {
            throw new CliUsageError(`district ${o.district} does not exist`);
          }
          const repo = ds.getRepository(UserEntity);
          const saved = await repo.save(
            repo.create({
              email: dto.email.toLowerCase(),
              displayName: dto.displayName,
              role: dto.role,
              districtId: dto.role === 'support' ? null : (o.district ?? null),
              schoolIds: dto.schoolIds ?? [],
              programCodes: dto.programCodes ?? [],
              passwordHash: dto.password ? await hashPassword(dto.password) : null,
            }),
          );
          out(`user ${saved.id} created: ${saved.email} (${saved.role})`);
        }),
    );
}
