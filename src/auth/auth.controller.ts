import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Public } from 'src/auth/auth.decorators';
import { CreateTokenDto, LoginDto } from 'src/auth/auth.dto';
import { AuthService, SESSION_COOKIE } from 'src/auth/auth.service';
import type { Principal } from 'src/auth/auth.types';
import { SessionCookieService } from 'src/auth/session-cookie.service';

@ApiTags('auth')
@ApiBearerAuth()
@ApiCookieAuth(SESSION_COOKIE)
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly cookies: SessionCookieService,
  ) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @Res({ passthrough: true }) res: Response) {
    return this.cookies.login(dto, res);
  }

  @Post('logout')
  @HttpCode(204)
  logout(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.cookies.logout(req, res);
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('tokens')
  listTokens(@CurrentPrincipal() principal: Principal) {
    return this.auth.listTokens(principal);
  }

  @Post('tokens')
  createToken(@CurrentPrincipal() principal: Principal, @Body() dto: CreateTokenDto) {
    return this.auth.issueToken(principal, dto.name, dto.expiresInDays);
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  revokeToken(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.auth.revokeToken(principal, id);
  }
}
