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
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Public } from 'src/auth/auth.decorators';
import { CreateTokenDto, LoginDto } from 'src/auth/auth.dto';
import { AuthService, SESSION_COOKIE } from 'src/auth/auth.service';
import type { Principal } from 'src/auth/auth.types';
import { SessionCookieService } from 'src/auth/session-cookie.service';
import { IssuedTokenDto, LoginResponseDto, PrincipalDto, TokenSummaryDto } from 'src/auth/auth.responses';

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
  @ApiOperation({ summary: 'Log in with e-mail and password: sets the session and CSRF cookies' })
  @ApiOkResponse({ type: LoginResponseDto })
  login(@Body() dto: LoginDto, @Res({ passthrough: true }) res: Response) {
    return this.cookies.login(dto, res);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Log out: ends the session and clears its cookies' })
  @ApiNoContentResponse({ description: 'done' })
  logout(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.cookies.logout(req, res);
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller: role, district, schools and programs' })
  @ApiOkResponse({ type: PrincipalDto })
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('tokens')
  @ApiOperation({ summary: "List the caller's API tokens (never the token itself)" })
  @ApiOkResponse({ type: [TokenSummaryDto] })
  listTokens(@CurrentPrincipal() principal: Principal) {
    return this.auth.listTokens(principal);
  }

  @Post('tokens')
  @ApiOperation({ summary: 'Issue an API token for the caller; shown in this response only' })
  @ApiCreatedResponse({ type: IssuedTokenDto })
  createToken(@CurrentPrincipal() principal: Principal, @Body() dto: CreateTokenDto) {
    return this.auth.issueToken(principal, dto.name, dto.expiresInDays);
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  @ApiOperation({ summary: "Revoke one of the caller's API tokens" })
  @ApiNoContentResponse({ description: 'done' })
  revokeToken(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.auth.revokeToken(principal, id);
  }
}
