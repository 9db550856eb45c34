import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from 'src/auth/auth.controller';
import { AuthGuard } from 'src/auth/auth.guard';
import { AuthRepository } from 'src/auth/auth.repository';
import { AuthService } from 'src/auth/auth.service';
import { SessionCookieService } from 'src/auth/session-cookie.service';
import { UsersController } from 'src/auth/users.controller';
import { UsersRepository } from 'src/auth/users.repository';
import { UsersService } from 'src/auth/users.service';
import { DistrictsModule } from 'src/districts/districts.module';

@Module({
  imports: [DistrictsModule],
  controllers: [AuthController, UsersController],
  providers: [
    AuthRepository,
    AuthService,
    SessionCookieService,
    UsersRepository,
    UsersService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, UsersService],
})
export class AuthModule {}
